// Q = u1 G + u2 R for R = (r, y) with y's parity from the recovery id: the point multiplication
// of a recovery, in the curve's Jacobian coordinates.
// - u2 R: GLV splits u2 into halves below 2^129, u2 R = k1 R + k2 λR; both halves share one chain
//   of about 130 doublings, with a signed (Booth) digit of each per R_WINDOW bits, looked up in a
//   table of 1R .. 2^(R_WINDOW-1) R built per signature.
// - u1 G: a fixed-base table uploaded once by the host (g_entry, defined by the including kernel):
//   entry (i, j) = j * 2^(8i) * G for byte position i in 0..31 and byte value j in 1..255, so u1 G
//   costs at most 32 additions and no doubling.

const G_TABLE_ROW: u32 = 255u;

// The curve's b, and β: (β·x, y) = λ·(x, y) for the GLV λ of glv.wgsl.
const FE_B = Fe(7u, 0u, 0u, 0u, 0u, 0u, 0u, 0u, 0u, 0u, 0u, 0u, 0u, 0u, 0u, 0u, 0u, 0u, 0u, 0u);
const FE_BETA = Fe(0x01eeu, 0x0ca8u, 0x0a1cu, 0x12d8u, 0x1c13u, 0x04cau, 0x0bd6u, 0x0ea2u,
                   0x1049u, 0x0ce7u, 0x0d3au, 0x1868u, 0x19eau, 0x1223u, 0x01b9u, 0x00e2u,
                   0x057cu, 0x115bu, 0x1a5au, 0x00f5u);

// Steps of u1 G + u2 R, one group operation each, all through the single jac_add_affine /
// jac_double below (one copy of each formula where drivers inline every call, and every lane of a
// wave doing the same kind of step at the same time):
// - STEPS_TABLE: 2R by doubling, then + R up to R_TABLE·R. The entries have different Z; they are
//   then brought to the last one's Z (with the Z ratios each addition reports), which makes them
//   affine points of the isomorphic curve y^2 = x^3 + 7·Z^6: the main loop adds them with the
//   cheaper mixed addition, and its result's Z is multiplied by that Z at the end.
// - STEPS_R: per R_WINDOW-bit window of the halves, most significant first, R_WINDOW doublings,
//   then the k1 digit's entry and the k2 digit's entry with x times β.
// - STEPS_G: one addition per byte of u1 from the G table, in the curve's own coordinates.
//
// GLV and R_WINDOW are pipeline constants so that the benchmark can measure what each lever
// brings on a GPU (RecoverKernelOptions.levers); production uses the defaults.
override GLV: bool = true;
// Booth digit width, 2..5: a table of 2^(R_WINDOW-1) entries. 4 and 5 take the same operations
// within 1% (5: 14 fewer additions in the loop, 8 more to build the table); 4 keeps half the table.
override R_WINDOW: u32 = 4u;
const R_TABLE_MAX: u32 = 16u;
override R_TABLE: u32 = 1u << (R_WINDOW - 1u);
// The digits must cover the magnitude plus one bit (the top window's leading bit must be clear):
// below 2^129 for a GLV half, below 2^256 for u2 whole.
override R_WINDOWS: u32 = (select(257u, 130u, GLV) + R_WINDOW - 1u) / R_WINDOW;
override R_ADDS: u32 = select(1u, 2u, GLV);
override STEPS_TABLE: u32 = R_TABLE - 1u;
override STEPS_R: u32 = R_WINDOWS * (R_WINDOW + R_ADDS);
const STEPS_G: u32 = 32u;

fn mul_add(rx: Fe, ry: Fe, u2: Sc, u1: Sc) -> Jac {
  op_phase(PHASE_SPLIT);
  var halves = array<GlvHalf, 2>(GlvHalf(u2, false), GlvHalf(Sc(), false));
  if (GLV) { halves = glv_split(u2); }
  op_phase(PHASE_TABLE);
  // Entry e is (e + 1) R; z_ratio[e] is its Z over entry e - 1's while the table is built, and
  // z_ratio[0] then keeps the table's common Z. What lives across the loop is kept to acc and these
  // arrays (memory the driver indexes), not R's coordinates: registers are the scarce resource.
  var tx: array<Fe, R_TABLE_MAX>;
  var ty: array<Fe, R_TABLE_MAX>;
  var z_ratio: array<Fe, R_TABLE_MAX>;
  tx[0] = rx;
  ty[0] = ry;
  var acc = jac_from_affine(rx, ry);
  for (var step = 0u; step < STEPS_TABLE + STEPS_R + STEPS_G; step++) {
    if (step == STEPS_TABLE) {
      // Entry e times (Z_last / Z_e)^2 and ^3, Z_last / Z_e being the product of the later ratios.
      z_ratio[0] = acc.z;
      var zs: Fe;
      for (var j = 0u; j < R_TABLE - 1u; j++) {
        let e = R_TABLE - 2u - j;
        if (j == 0u) {
          zs = z_ratio[e + 1u];
        } else {
          zs = fe_mul(zs, z_ratio[e + 1u]);
        }
        let zs2 = fe_sqr(zs);
        tx[e] = fe_mul(tx[e], zs2);
        ty[e] = fe_mul(ty[e], fe_mul(zs2, zs));
      }
      acc = jac_infinity();
      op_phase(PHASE_R);
    }
    if (step == STEPS_TABLE + STEPS_R) {
      if (acc.inf == 0u) { acc.z = fe_mul(acc.z, z_ratio[0]); }
      op_phase(PHASE_G);
    }
    var double_it = false;
    var qx: Fe;
    var qy: Fe;
    var neg_q = false;
    if (step < STEPS_TABLE) {
      double_it = step == 0u;
      qx = tx[0];
      qy = ty[0];
    } else if (step < STEPS_TABLE + STEPS_R) {
      let m = step - STEPS_TABLE;
      let sub = m % (R_WINDOW + R_ADDS);
      if (sub < R_WINDOW) {
        double_it = true;
      } else {
        let half = halves[sub - R_WINDOW];
        let d = booth_digit(half.mag, R_WINDOWS - 1u - m / (R_WINDOW + R_ADDS), R_WINDOW);
        if (d == 0i) { continue; }
        let e = u32(abs(d)) - 1u;
        qx = tx[e];
        if (sub != R_WINDOW) { qx = fe_mul(qx, FE_BETA); }
        qy = ty[e];
        neg_q = (d < 0i) != half.neg;
      }
    } else {
      let i = step - STEPS_TABLE - STEPS_R;
      let byte = (u1[i >> 1u] >> ((i & 1u) * 8u)) & 0xffu;
      if (byte == 0u) { continue; }
      let g = g_entry(i * G_TABLE_ROW + byte - 1u);
      qx = g[0];
      qy = g[1];
    }
    var res: Jac;
    var zr: Fe;
    if (!double_it) {
      let s = jac_add_affine(acc, qx, qy, neg_q);
      double_it = s.is_double != 0u;
      res = s.sum;
      zr = s.zr;
    }
    if (double_it) {
      res = jac_double(acc);
      // Read only for 2R, doubled from R whose Z is 1.
      zr = res.z;
    }
    acc = res;
    if (step < STEPS_TABLE) {
      tx[step + 1u] = acc.x;
      ty[step + 1u] = acc.y;
      z_ratio[step + 1u] = zr;
    }
  }
  return acc;
}

// Q = u1 G + u2 R (plain scalars), at infinity where no curve point has x = r. r < n < p, so r is
// already a canonical field element.
fn recover_point(r: Sc, odd: u32, u1: Sc, u2: Sc) -> Jac {
  op_phase(PHASE_SQRT);
  let rx = fe_from_sc(r);
  let y2 = fe_add(fe_mul(fe_sqr(rx), rx), FE_B);
  var ry = fe_sqrt_candidate(y2);
  if (!fe_equal(fe_sqr(ry), y2)) { return jac_infinity(); }
  if (fe_is_odd(ry) != (odd == 1u)) { ry = fe_neg(ry); }
  return mul_add(rx, ry, u2, u1);
}
