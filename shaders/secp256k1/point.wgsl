// secp256k1 points (y^2 = x^3 + 7) in Jacobian coordinates: (X, Y, Z) is the affine point
// (X / Z^2, Y / Z^3). The point at infinity is carried as a flag instead of Z = 0 so that every
// formula can test it cheaply. Formulas from the Explicit-Formulas Database (a = 0).
//
// Not constant time: every input here is public (signatures, hashes), so the exceptional cases
// (P + P, P + -P, infinity) are handled with plain branches.

struct Jac {
  x: Fe,
  y: Fe,
  z: Fe,
  inf: u32,
}

fn jac_infinity() -> Jac {
  return Jac(fe_zero(), fe_one(), fe_zero(), 1u);
}

fn jac_from_affine(x: Fe, y: Fe) -> Jac {
  return Jac(x, y, fe_one(), 0u);
}

// 2P (dbl-2009-l). secp256k1 has no point of order 2, so only infinity needs a branch.
fn jac_double(p: Jac) -> Jac {
  if (p.inf != 0u) { return p; }
  let a = fe_sqr(p.x);
  let b = fe_sqr(p.y);
  let c = fe_sqr(b);
  let xb = fe_add(p.x, b);
  let d = fe_mul_small(fe_sub(fe_sub(fe_sqr(xb), a), c), 2u);
  let e = fe_mul_small(a, 3u);
  let f = fe_sqr(e);
  let x3 = fe_sub(f, fe_mul_small(d, 2u));
  let y3 = fe_sub(fe_mul(e, fe_sub(d, x3)), fe_mul_small(c, 8u));
  let z3 = fe_mul_small(fe_mul(p.y, p.z), 2u);
  return Jac(x3, y3, z3, 0u);
}

// P + (qx, qy) for an affine (never infinite) q: mixed addition (madd-2007-bl shape, 8M + 3S).
fn jac_add_affine(p: Jac, qx: Fe, qy: Fe) -> Jac {
  if (p.inf != 0u) { return jac_from_affine(qx, qy); }
  let z1z1 = fe_sqr(p.z);
  let u2 = fe_mul(qx, z1z1);
  let s2 = fe_mul(qy, fe_mul(p.z, z1z1));
  let h = fe_sub(u2, p.x);
  let rr = fe_sub(s2, p.y);
  if (fe_is_zero(h)) {
    if (fe_is_zero(rr)) { return jac_double(p); }
    return jac_infinity();
  }
  let hh = fe_sqr(h);
  let hhh = fe_mul(h, hh);
  let v = fe_mul(p.x, hh);
  let x3 = fe_sub(fe_sub(fe_sqr(rr), hhh), fe_mul_small(v, 2u));
  let y3 = fe_sub(fe_mul(rr, fe_sub(v, x3)), fe_mul(p.y, hhh));
  let z3 = fe_mul(p.z, h);
  return Jac(x3, y3, z3, 0u);
}

// P + Q, both Jacobian (add-1998-cmo-2, 12M + 4S).
fn jac_add(p: Jac, q: Jac) -> Jac {
  if (p.inf != 0u) { return q; }
  if (q.inf != 0u) { return p; }
  let z1z1 = fe_sqr(p.z);
  let z2z2 = fe_sqr(q.z);
  let u1 = fe_mul(p.x, z2z2);
  let u2 = fe_mul(q.x, z1z1);
  let s1 = fe_mul(p.y, fe_mul(q.z, z2z2));
  let s2 = fe_mul(q.y, fe_mul(p.z, z1z1));
  let h = fe_sub(u2, u1);
  let rr = fe_sub(s2, s1);
  if (fe_is_zero(h)) {
    if (fe_is_zero(rr)) { return jac_double(p); }
    return jac_infinity();
  }
  let hh = fe_sqr(h);
  let hhh = fe_mul(h, hh);
  let v = fe_mul(u1, hh);
  let x3 = fe_sub(fe_sub(fe_sqr(rr), hhh), fe_mul_small(v, 2u));
  let y3 = fe_sub(fe_mul(rr, fe_sub(v, x3)), fe_mul(s1, hhh));
  let z3 = fe_mul(fe_mul(p.z, q.z), h);
  return Jac(x3, y3, z3, 0u);
}
