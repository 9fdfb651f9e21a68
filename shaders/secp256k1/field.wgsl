// secp256k1 base field arithmetic, mod p = 2^256 - 2^32 - 977.
//
// An element is 20 limbs of 13 bits, least significant first, each held in a u32. WGSL has no
// 64-bit integers and no high-half multiply, so limb products must fit 32 bits with room to add
// them up: a 13 x 13-bit product is below 2^26 and a whole column of a 20 x 20-limb product (at
// most 20 of them) stays below 2^31. A product is then 400 plain multiply-adds and one carry pass
// at the end, where 16-bit limbs need a mask, a shift and an add after each of their 256 products.
//
// Invariant of every Fe a function returns: each limb is in [0, 2^13] (2^13 itself allowed, which
// saves carrying to the top after a fold; see fe_mul). The value is then below 2^260 + 2^247 and
// is any integer congruent to the element ("weakly reduced"); fe_canon gives the representative in
// [0, p) where one is needed (comparisons, parity, output).
//
// Products are folded with 2^260 = 16 * 2^256 = 2^36 + 16 * 977 (mod p), and 2^36 = 2^(2*13) * 2^10:
// a limb j at weight 2^260 goes back in at limb j times 15632 plus limb j + 2 times 1024.

alias Fe = array<u32, 20>;

const FE_MASK: u32 = 0x1fffu;
const FE_FOLD_LO: u32 = 15632u;
const FE_FOLD_HI: u32 = 1024u;

// 32p with every limb in [2^13, 2^14): adding it before subtracting a limb-wise never underflows.
const FE_SUB_BIAS = Fe(0x25e0u, 0x3ffbu, 0x37feu, 0x3ffeu, 0x3ffeu, 0x3ffeu, 0x3ffeu, 0x3ffeu,
                       0x3ffeu, 0x3ffeu, 0x3ffeu, 0x3ffeu, 0x3ffeu, 0x3ffeu, 0x3ffeu, 0x3ffeu,
                       0x3ffeu, 0x3ffeu, 0x3ffeu, 0x3ffeu);
// p itself, in strict 13-bit limbs.
const FE_P = Fe(0x1c2fu, 0x1fffu, 0x1fbfu, 0x1fffu, 0x1fffu, 0x1fffu, 0x1fffu, 0x1fffu, 0x1fffu,
                0x1fffu, 0x1fffu, 0x1fffu, 0x1fffu, 0x1fffu, 0x1fffu, 0x1fffu, 0x1fffu, 0x1fffu,
                0x1fffu, 0x1ffu);

fn fe_zero() -> Fe {
  return Fe();
}

fn fe_one() -> Fe {
  var r = Fe();
  r[0] = 1u;
  return r;
}

// Folds `c` units of 2^260 back into limbs 0 and 2 and carries through limb 3, for c < 2^17 and
// limbs below 2^13 on entry: limb 4 ends at most 2^13, the others below it.
fn fe_fold_top(r: ptr<function, Fe>, c: u32) {
  var v = (*r)[0] + c * FE_FOLD_LO;
  (*r)[0] = v & FE_MASK;
  v = (*r)[1] + (v >> 13u);
  (*r)[1] = v & FE_MASK;
  v = (*r)[2] + c * FE_FOLD_HI + (v >> 13u);
  (*r)[2] = v & FE_MASK;
  v = (*r)[3] + (v >> 13u);
  (*r)[3] = v & FE_MASK;
  (*r)[4] += v >> 13u;
}

// Brings limbs below 2^29 (value below 2^290) back to the invariant.
fn fe_normalize(a: Fe) -> Fe {
  count_op(OP_FE_LINEAR);
  var r: Fe;
  var c = 0u;
  for (var i = 0u; i < 20u; i++) {
    let v = a[i] + c;
    r[i] = v & FE_MASK;
    c = v >> 13u;
  }
  fe_fold_top(&r, c);
  return r;
}

fn fe_add(a: Fe, b: Fe) -> Fe {
  var r: Fe;
  for (var i = 0u; i < 20u; i++) {
    r[i] = a[i] + b[i];
  }
  return fe_normalize(r);
}

// a - b + 32p: non-negative limb by limb, as b's limbs are at most 2^13.
fn fe_sub(a: Fe, b: Fe) -> Fe {
  var r: Fe;
  for (var i = 0u; i < 20u; i++) {
    r[i] = a[i] + FE_SUB_BIAS[i] - b[i];
  }
  return fe_normalize(r);
}

fn fe_neg(a: Fe) -> Fe {
  return fe_sub(fe_zero(), a);
}

// ka·a - kb·b - kc·c for small factors ((ka + 2kb + 2kc)·2^13 < 2^29) with one normalization: the
// point formulas' chains of additions and small multiples, fused.
fn fe_combine(a: Fe, ka: u32, b: Fe, kb: u32, c: Fe, kc: u32) -> Fe {
  var r: Fe;
  for (var i = 0u; i < 20u; i++) {
    r[i] = a[i] * ka + (FE_SUB_BIAS[i] - b[i]) * kb + (FE_SUB_BIAS[i] - c[i]) * kc;
  }
  return fe_normalize(r);
}

// a * k for a small k < 2^16.
fn fe_mul_small(a: Fe, k: u32) -> Fe {
  var r: Fe;
  for (var i = 0u; i < 20u; i++) {
    r[i] = a[i] * k;
  }
  return fe_normalize(r);
}

// Reduces the 39 column sums of a product (each below 2^31) to the invariant. The high columns
// are carried into 13-bit limbs h (the part at 2^260) and folded onto the low columns; what that
// carries past 2^260 (below 2^37) is folded once more, into limbs 0..4, and carried through limb 5:
// limb 6 may end at 2^13, which the invariant allows, so no pass over all limbs is needed.
fn fe_reduce_columns(col: ptr<function, array<u32, 39>>) -> Fe {
  var h: Fe;
  var c = 0u;
  for (var j = 0u; j < 19u; j++) {
    let v = (*col)[20u + j] + c;
    h[j] = v & FE_MASK;
    c = v >> 13u;
  }
  h[19] = c;
  var r: Fe;
  c = 0u;
  for (var i = 0u; i < 20u; i++) {
    var v = (*col)[i] + h[i] * FE_FOLD_LO + c;
    if (i >= 2u) { v += h[i - 2u] * FE_FOLD_HI; }
    r[i] = v & FE_MASK;
    c = v >> 13u;
  }
  // h[18] and h[19] times 2^10 land at limbs 20 and 21: at 2^260 again, with the carry.
  var e0 = c + h[18] * FE_FOLD_HI;
  var e1 = h[19] * FE_FOLD_HI + (e0 >> 13u);
  e0 &= FE_MASK;
  let e2 = e1 >> 13u;
  e1 &= FE_MASK;
  r[0] += e0 * FE_FOLD_LO;
  r[1] += e1 * FE_FOLD_LO;
  r[2] += e2 * FE_FOLD_LO + e0 * FE_FOLD_HI;
  r[3] += e1 * FE_FOLD_HI;
  r[4] += e2 * FE_FOLD_HI;
  c = 0u;
  for (var i = 0u; i < 6u; i++) {
    let v = r[i] + c;
    r[i] = v & FE_MASK;
    c = v >> 13u;
  }
  r[6] += c;
  return r;
}

fn fe_mul(a: Fe, b: Fe) -> Fe {
  count_op(OP_FE_MUL);
  var col: array<u32, 39>;
  for (var i = 0u; i < 20u; i++) {
    let ai = a[i];
    for (var j = 0u; j < 20u; j++) {
      col[i + j] += ai * b[j];
    }
  }
  return fe_reduce_columns(&col);
}

// Each cross product once, against the doubled limb (below 2^14: a column of 10 such plus one
// square stays below 2^31).
fn fe_sqr(a: Fe) -> Fe {
  count_op(OP_FE_SQR);
  var col: array<u32, 39>;
  for (var i = 0u; i < 20u; i++) {
    let ai = a[i];
    col[2u * i] += ai * ai;
    let ai2 = ai << 1u;
    for (var j = i + 1u; j < 20u; j++) {
      col[i + j] += ai2 * a[j];
    }
  }
  return fe_reduce_columns(&col);
}

// Strict 13-bit limbs (each below 2^13) with the bits from 2^256 up folded back (twice: the first
// fold can carry past 2^256 again, the second cannot): a value below 2^256, congruent to a.
fn fe_strict(a: Fe) -> Fe {
  var r = a;
  for (var round = 0u; round < 2u; round++) {
    var c = 0u;
    for (var i = 0u; i < 20u; i++) {
      let v = r[i] + c;
      r[i] = v & FE_MASK;
      c = v >> 13u;
    }
    // Bits 256.. sit in limb 19 from bit 9 on (19 * 13 = 247), plus the carry at 2^260.
    let top = (r[19] >> 9u) + (c << 4u);
    r[19] &= 0x1ffu;
    // top * (2^32 + 977): 2^32 is bit 6 of limb 2.
    r[0] += top * 977u;
    r[2] += top << 6u;
  }
  var c = 0u;
  for (var i = 0u; i < 20u; i++) {
    let v = r[i] + c;
    r[i] = v & FE_MASK;
    c = v >> 13u;
  }
  return r;
}

// The unique representative in [0, p), in strict 13-bit limbs.
fn fe_canon(a: Fe) -> Fe {
  let r = fe_strict(a);
  // r >= p exactly when r + (2^32 + 977) reaches 2^256; then that sum's low 256 bits are r - p.
  var s = r;
  s[0] += 977u;
  s[2] += 64u;
  var c = 0u;
  for (var i = 0u; i < 20u; i++) {
    let v = s[i] + c;
    s[i] = v & FE_MASK;
    c = v >> 13u;
  }
  if ((s[19] >> 9u) != 0u) {
    s[19] &= 0x1ffu;
    return s;
  }
  return r;
}

// a = 0 mod p: below 2^256 a multiple of p is 0 or p itself.
fn fe_is_zero(a: Fe) -> bool {
  let r = fe_strict(a);
  var zero = 0u;
  var is_p = 0u;
  for (var i = 0u; i < 20u; i++) {
    zero |= r[i];
    is_p |= r[i] ^ FE_P[i];
  }
  return zero == 0u || is_p == 0u;
}

// False where a (a result of fe_add, fe_sub, fe_combine, fe_mul_small, fe_mul or fe_sqr) is surely
// not 0 mod p; true where fe_is_zero must decide. Such a result differs by less than 2^74 from the
// value its limbs 5..19 spell, so a multiple of p (at most 16p) has them all 0 (for 0) or, from
// limb 5 to 18, all 0x1fff: two of them rule out nearly every nonzero value for 4 instructions.
fn fe_maybe_zero(a: Fe) -> bool {
  return (a[10] | a[15]) == 0u || (a[10] & a[15]) == FE_MASK;
}

fn fe_equal(a: Fe, b: Fe) -> bool {
  return fe_is_zero(fe_sub(a, b));
}

fn fe_is_odd(a: Fe) -> bool {
  return (fe_canon(a)[0] & 1u) != 0u;
}

// The field element of a 256-bit number held as 16 limbs of 16 bits (Sc, see scalar.wgsl).
fn fe_from_sc(s: Sc) -> Fe {
  var r: Fe;
  for (var i = 0u; i < 20u; i++) {
    let bit = 13u * i;
    let k = bit >> 4u;
    let o = bit & 15u;
    var v = s[k] >> o;
    if (o > 3u && k < 15u) { v |= s[k + 1u] << (16u - o); }
    r[i] = v & FE_MASK;
  }
  return r;
}

// The canonical value of a as 16 limbs of 16 bits.
fn fe_to_sc(a: Fe) -> Sc {
  let r = fe_canon(a);
  var s: Sc;
  for (var k = 0u; k < 16u; k++) {
    let bit = 16u * k;
    let i = bit / 13u;
    let o = bit % 13u;
    var v = r[i] >> o;
    v |= r[i + 1u] << (13u - o);
    if (o > 10u && i < 18u) { v |= r[i + 2u] << (26u - o); }
    s[k] = v & 0xffffu;
  }
  return s;
}

// Exponentiations by addition chain (libsecp256k1's): (p + 1) / 4 for the square root (p = 3 mod
// 4) and p - 2 for the inverse. Both exponents are built from the runs of ones 2^k - 1 for
// k in 1, 2, 3, 6, 9, 11, 22, 44, 88, 176, 220, 223, each x_k = x_j^(2^(k-j)) * x_(k-j). A step
// squares the running value `squarings` times, multiplies by the saved power `factor` (or not,
// FE_CHAIN_NONE) and saves the result in `save`: one squaring and one multiplication call site for
// the whole chain, as drivers that inline every call (SwiftShader does) pay per call site.
struct FeChainStep {
  squarings: u32,
  factor: u32,
  save: u32,
}

const FE_CHAIN_NONE: u32 = 99u;
// Saved powers: 0 = x, 1 = x_2, 2 = x_3, 3 = x_11, 4 = x_22, 5 = x_44, 6 = x_88.
const FE_CHAIN_SLOTS: u32 = 7u;
const FE_CHAIN_COMMON_STEPS: u32 = 11u;
const FE_CHAIN_COMMON = array<FeChainStep, 11>(
  FeChainStep(1u, 0u, 1u),              // x_2
  FeChainStep(1u, 0u, 2u),              // x_3
  FeChainStep(3u, 2u, FE_CHAIN_NONE),   // x_6
  FeChainStep(3u, 2u, FE_CHAIN_NONE),   // x_9
  FeChainStep(2u, 1u, 3u),              // x_11
  FeChainStep(11u, 3u, 4u),             // x_22
  FeChainStep(22u, 4u, 5u),             // x_44
  FeChainStep(44u, 5u, 6u),             // x_88
  FeChainStep(88u, 6u, FE_CHAIN_NONE),  // x_176
  FeChainStep(44u, 5u, FE_CHAIN_NONE),  // x_220
  FeChainStep(3u, 2u, FE_CHAIN_NONE),   // x_223
);
// Tails after x_223, reading the exponents' low 33 bits: (p + 1) / 4 ends in
// 0 (22 ones) 0000 11 00, p - 2 in 0 (22 ones) 0000 1 0 11 0 1.
const FE_CHAIN_SQRT_TAIL = array<FeChainStep, 3>(
  FeChainStep(23u, 4u, FE_CHAIN_NONE),
  FeChainStep(6u, 1u, FE_CHAIN_NONE),
  FeChainStep(2u, FE_CHAIN_NONE, FE_CHAIN_NONE),
);
const FE_CHAIN_INV_TAIL = array<FeChainStep, 4>(
  FeChainStep(23u, 4u, FE_CHAIN_NONE),
  FeChainStep(5u, 0u, FE_CHAIN_NONE),
  FeChainStep(3u, 1u, FE_CHAIN_NONE),
  FeChainStep(2u, 0u, FE_CHAIN_NONE),
);
const FE_CHAIN_SQRT: u32 = 0u;
const FE_CHAIN_INV: u32 = 1u;

fn fe_pow_chain(a: Fe, which: u32) -> Fe {
  var saved: array<Fe, FE_CHAIN_SLOTS>;
  saved[0] = a;
  var acc = a;
  var tail_steps = 3u;
  if (which == FE_CHAIN_INV) { tail_steps = 4u; }
  for (var s = 0u; s < FE_CHAIN_COMMON_STEPS + tail_steps; s++) {
    var step: FeChainStep;
    if (s < FE_CHAIN_COMMON_STEPS) {
      step = FE_CHAIN_COMMON[s];
    } else if (which == FE_CHAIN_INV) {
      step = FE_CHAIN_INV_TAIL[s - FE_CHAIN_COMMON_STEPS];
    } else {
      step = FE_CHAIN_SQRT_TAIL[s - FE_CHAIN_COMMON_STEPS];
    }
    for (var k = 0u; k < step.squarings; k++) {
      acc = fe_sqr(acc);
    }
    if (step.factor != FE_CHAIN_NONE) { acc = fe_mul(acc, saved[step.factor]); }
    if (step.save != FE_CHAIN_NONE) { saved[step.save] = acc; }
  }
  return acc;
}

// a^-1 for a != 0; 0 maps to 0.
fn fe_inv(a: Fe) -> Fe {
  return fe_pow_chain(a, FE_CHAIN_INV);
}

// A square root of a when a is a quadratic residue; the caller checks it squares back to a.
fn fe_sqrt_candidate(a: Fe) -> Fe {
  return fe_pow_chain(a, FE_CHAIN_SQRT);
}
