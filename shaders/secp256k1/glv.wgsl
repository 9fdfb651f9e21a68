// The GLV split of a scalar (k = k1 + k2·λ mod n, halves below 2^129) and the signed digits the
// multiplication reads them by. Integer arithmetic on Sc limbs mod 2^256 (two's complement): the
// split's intermediate values are small, so no reduction mod n is needed.

// a * b mod 2^256.
fn sc_mul_wrap(a: Sc, b: Sc) -> Sc {
  count_op(OP_SC_MUL);
  var r: Sc;
  for (var i = 0u; i < 16u; i++) {
    let ai = a[i];
    var c = 0u;
    for (var j = 0u; i + j < 16u; j++) {
      let x = r[i + j] + ai * b[j] + c;
      r[i + j] = x & 0xffffu;
      c = x >> 16u;
    }
  }
  return r;
}

// round(a * g / 2^384): bits 384 and up of a * g + 2^383, for a product below 2^512.
fn sc_mul_shift384(a: Sc, g: Sc) -> Sc {
  count_op(OP_SC_MUL);
  var t: array<u32, 32>;
  for (var i = 0u; i < 16u; i++) {
    let ai = a[i];
    var c = 0u;
    for (var j = 0u; j < 16u; j++) {
      let x = t[i + j] + ai * g[j] + c;
      t[i + j] = x & 0xffffu;
      c = x >> 16u;
    }
    t[i + 16u] = c;
  }
  var r: Sc;
  var c = t[23] >> 15u;
  for (var i = 0u; i < 8u; i++) {
    let x = t[24u + i] + c;
    r[i] = x & 0xffffu;
    c = x >> 16u;
  }
  return r;
}

// GLV: k = k1 + k2·λ (mod n) with |k1|, |k2| < 2^129, so that k·P = k1·P + k2·λP where
// λP = (β·x, y) costs one field multiplication. The lattice basis (a1, b1), (a2, b2) with
// a + b·λ = 0 (mod n) is libsecp256k1's and @noble/curves'; c1 = round(b2·k / n) and
// c2 = round(-b1·k / n) come from g1 = round(2^384·b2 / n), g2 = round(-2^384·b1 / n), which can
// be off by one from the exact rounding: the halves then stay below |a1| + |a2| < 2^129 and
// |b1| + |b2| < 2^129, instead of 2^128.

const GLV_G1 = Sc(0xb031u, 0x45dbu, 0x209au, 0xe893u, 0xca7fu, 0x71e8u, 0x8a14u, 0x3daau,
                  0xeb15u, 0x9284u, 0x90e4u, 0xe86cu, 0x6bcdu, 0xa7d4u, 0xd221u, 0x3086u);
const GLV_G2 = Sc(0x7f71u, 0x8ac4u, 0xb4aeu, 0x1571u, 0x06c6u, 0x9df5u, 0x08acu, 0x2212u,
                  0xe4c4u, 0x0abfu, 0x7fa9u, 0x6f54u, 0x8828u, 0x010eu, 0x7ed6u, 0xe443u);
// a1 = b2 = 0x3086d221a7d46bcde86c90e49284eb15, -b1 = 0xe4437ed6010e88286f547fa90abfe4c3,
// a2 = 0x114ca50f7a8e2f3f657c1108d9d44cfd8.
const GLV_A1 = Sc(0xeb15u, 0x9284u, 0x90e4u, 0xe86cu, 0x6bcdu, 0xa7d4u, 0xd221u, 0x3086u,
                  0u, 0u, 0u, 0u, 0u, 0u, 0u, 0u);
const GLV_MINUS_B1 = Sc(0xe4c3u, 0x0abfu, 0x7fa9u, 0x6f54u, 0x8828u, 0x010eu, 0x7ed6u, 0xe443u,
                        0u, 0u, 0u, 0u, 0u, 0u, 0u, 0u);
const GLV_A2 = Sc(0xcfd8u, 0x9d44u, 0x108du, 0x57c1u, 0xf3f6u, 0xa8e2u, 0x50f7u, 0x14cau,
                  0x0001u, 0u, 0u, 0u, 0u, 0u, 0u, 0u);

// One half of a split: its magnitude (below 2^129) and sign.
struct GlvHalf {
  mag: Sc,
  neg: bool,
}

fn glv_half(v: Sc) -> GlvHalf {
  if ((v[15] >> 15u) != 0u) { return GlvHalf(sc_sub_wrap(Sc(), v), true); }
  return GlvHalf(v, false);
}

// k1 = k - c1·a1 - c2·a2 and k2 = c1·(-b1) - c2·b2 are small, so they come out exact in 256-bit
// two's complement arithmetic, without any reduction mod n.
fn glv_split(k: Sc) -> array<GlvHalf, 2> {
  let c1 = sc_mul_shift384(k, GLV_G1);
  let c2 = sc_mul_shift384(k, GLV_G2);
  let k1 = sc_sub_wrap(sc_sub_wrap(k, sc_mul_wrap(c1, GLV_A1)), sc_mul_wrap(c2, GLV_A2));
  let k2 = sc_sub_wrap(sc_mul_wrap(c1, GLV_MINUS_B1), sc_mul_wrap(c2, GLV_A1));
  return array<GlvHalf, 2>(glv_half(k1), glv_half(k2));
}

// Signed digit `w` of m in radix 2^width (Booth recoding, width < 16): from bits width·w - 1 ..
// width·w + width - 1 (bit -1 being 0), a digit in [-2^(width-1), 2^(width-1)]. The digits sum to
// m (each times 2^(width·w)) when the top window's leading bit is 0.
fn booth_digit(m: Sc, w: u32, width: u32) -> i32 {
  var v: u32;
  if (w == 0u) {
    v = m[0] << 1u;
  } else {
    let s = width * w - 1u;
    let k = s >> 4u;
    let o = s & 15u;
    v = m[k] >> o;
    if (k < 15u) { v |= m[k + 1u] << (16u - o); }
  }
  v &= (2u << width) - 1u;
  return i32((v >> 1u) + (v & 1u)) - i32((v >> width) << width);
}
