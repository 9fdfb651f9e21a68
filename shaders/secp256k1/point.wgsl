// secp256k1 points (y^2 = x^3 + 7) in Jacobian coordinates: (X, Y, Z) is the affine point
// (X / Z^2, Y / Z^3). The point at infinity is carried as a flag instead of Z = 0 so that every
// formula can test it cheaply. Formulas from the Explicit-Formulas Database (a = 0).
//
// Not constant time: every input here is public (signatures, hashes), so the exceptional cases
// are plain branches. jac_add does not call jac_double for P + P; it reports the case and the
// caller doubles, so each formula is emitted once where drivers inline every call.

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

// 2P (dbl-2009-l, 2M + 5S). secp256k1 has no point of order 2, so only infinity needs a branch.
fn jac_double(p: Jac) -> Jac {
  if (p.inf != 0u) { return p; }
  let a = fe_sqr(p.x);
  let b = fe_sqr(p.y);
  let c = fe_sqr(b);
  let d = fe_mul_small(fe_sub(fe_sub(fe_sqr(fe_add(p.x, b)), a), c), 2u);
  let e = fe_mul_small(a, 3u);
  let x3 = fe_sub(fe_sqr(e), fe_mul_small(d, 2u));
  let y3 = fe_sub(fe_mul(e, fe_sub(d, x3)), fe_mul_small(c, 8u));
  let z3 = fe_mul_small(fe_mul(p.y, p.z), 2u);
  return Jac(x3, y3, z3, 0u);
}

// P + Q, or a request to double: `is_double` is 1 when P = Q (the formula degenerates there), and
// then `sum` is meaningless.
struct JacSum {
  sum: Jac,
  is_double: u32,
}

// P + Q (add-1998-cmo-2, 12M + 4S; 8M + 3S when q_affine says Q.z = 1, as for table points).
fn jac_add(p: Jac, q: Jac, q_affine: bool) -> JacSum {
  if (p.inf != 0u) { return JacSum(q, 0u); }
  if (q.inf != 0u) { return JacSum(p, 0u); }
  let z1z1 = fe_sqr(p.z);
  var u1 = p.x;
  var s1 = p.y;
  if (!q_affine) {
    let z2z2 = fe_sqr(q.z);
    u1 = fe_mul(p.x, z2z2);
    s1 = fe_mul(p.y, fe_mul(q.z, z2z2));
  }
  let u2 = fe_mul(q.x, z1z1);
  let s2 = fe_mul(q.y, fe_mul(p.z, z1z1));
  let h = fe_sub(u2, u1);
  let rr = fe_sub(s2, s1);
  if (fe_is_zero(h)) {
    if (fe_is_zero(rr)) { return JacSum(p, 1u); }
    return JacSum(jac_infinity(), 0u);
  }
  let hh = fe_sqr(h);
  let hhh = fe_mul(h, hh);
  let v = fe_mul(u1, hh);
  let x3 = fe_sub(fe_sub(fe_sqr(rr), hhh), fe_mul_small(v, 2u));
  let y3 = fe_sub(fe_mul(rr, fe_sub(v, x3)), fe_mul(s1, hhh));
  var z3 = fe_mul(p.z, h);
  if (!q_affine) { z3 = fe_mul(z3, q.z); }
  return JacSum(Jac(x3, y3, z3, 0u), 0u);
}
