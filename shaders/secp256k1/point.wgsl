// secp256k1 points (y^2 = x^3 + 7) in Jacobian coordinates: (X, Y, Z) is the affine point
// (X / Z^2, Y / Z^3). The point at infinity is carried as a flag instead of Z = 0 so that every
// formula can test it cheaply. Formulas from the Explicit-Formulas Database (a = 0). Neither uses
// the curve's b, so they work unchanged on the isomorphic curves y^2 = x^3 + 7·C^6 that the
// recovery's table lives on (see recover.wgsl).
//
// Not constant time: every input here is public (signatures, hashes), so the exceptional cases
// are plain branches. jac_add_affine does not call jac_double for P + P; it reports the case and
// the caller doubles, so each formula is emitted once where drivers inline every call.

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

// 2P (dbl-2009-l with D = 4·X·B: 3M + 4S, one squaring and three additions fewer than 2M + 5S;
// the small multiples fused into five normalizations). secp256k1 has no point of order 2, so only
// infinity needs a branch.
fn jac_double(p: Jac) -> Jac {
  if (p.inf != 0u) { return p; }
  count_op(OP_PT_DOUBLE);
  let a = fe_sqr(p.x);
  let b = fe_sqr(p.y);
  let c = fe_sqr(b);
  let xb = fe_mul(p.x, b);
  let e = fe_mul_small(a, 3u);
  // X3 = E^2 - 2D, Y3 = E (D - X3) - 8C with D = 4 X B.
  let x3 = fe_combine(fe_sqr(e), 1u, xb, 8u, xb, 0u);
  let y3 = fe_combine(fe_mul(e, fe_combine(xb, 4u, x3, 1u, x3, 0u)), 1u, c, 8u, c, 0u);
  let z3 = fe_mul_small(fe_mul(p.y, p.z), 2u);
  return Jac(x3, y3, z3, 0u);
}

// P + Q for an affine Q, or a request to double: `is_double` is 1 when P = Q (the formula
// degenerates there), and then `sum` is meaningless. `zr` is the sum's Z over P's (H), which the
// recovery's table needs.
struct JacSum {
  sum: Jac,
  zr: Fe,
  is_double: u32,
}

// P + (qx, ±qy), the minus where neg_q (madd from add-1998-cmo-2 with Z2 = 1: 8M + 3S; the sign
// and the chains of subtractions fused into five normalizations).
fn jac_add_affine(p: Jac, qx: Fe, qy: Fe, neg_q: bool) -> JacSum {
  if (p.inf != 0u) {
    var y = qy;
    if (neg_q) { y = fe_neg(qy); }
    return JacSum(jac_from_affine(qx, y), fe_one(), 0u);
  }
  count_op(OP_PT_ADD);
  let z1z1 = fe_sqr(p.z);
  let u2 = fe_mul(qx, z1z1);
  let s2 = fe_mul(qy, fe_mul(p.z, z1z1));
  let h = fe_sub(u2, p.x);
  // R = ±S2 - Y1.
  let pos = select(1u, 0u, neg_q);
  let rr = fe_combine(s2, pos, p.y, 1u, s2, 1u - pos);
  if (fe_maybe_zero(h) && fe_is_zero(h)) {
    if (fe_is_zero(rr)) { return JacSum(p, h, 1u); }
    return JacSum(jac_infinity(), h, 0u);
  }
  let hh = fe_sqr(h);
  let hhh = fe_mul(h, hh);
  let v = fe_mul(p.x, hh);
  // X3 = R^2 - HHH - 2V, Y3 = R (V - X3) - Y1 HHH.
  let x3 = fe_combine(fe_sqr(rr), 1u, hhh, 1u, v, 2u);
  let y3 = fe_sub(fe_mul(rr, fe_sub(v, x3)), fe_mul(p.y, hhh));
  let z3 = fe_mul(p.z, h);
  return JacSum(Jac(x3, y3, z3, 0u), h, 0u);
}
