// secp256k1 base field arithmetic, mod p = 2^256 - 2^32 - 977.
//
// An element is 16 limbs of 16 bits, least significant first, each held in a u32. 16-bit limbs keep
// every step of a schoolbook product inside 32 bits: limb + limb*limb + carry <= 2^32 - 1, so WGSL's
// 32-bit integers suffice without a high-half multiply.
//
// Values are kept "weakly reduced": any 256-bit integer congruent to the element (so possibly in
// [p, 2^256)). fe_canon gives the unique representative in [0, p) where one is needed (comparisons,
// parity, output).

alias Fe = array<u32, 16>;

// 2^256 mod p = 2^32 + 977: folding a carry out of bit 256 adds this.
const FE_FOLD_LO: u32 = 977u;

fn fe_zero() -> Fe {
  return Fe(0u, 0u, 0u, 0u, 0u, 0u, 0u, 0u, 0u, 0u, 0u, 0u, 0u, 0u, 0u, 0u);
}

fn fe_one() -> Fe {
  var r = fe_zero();
  r[0] = 1u;
  return r;
}

// Adds k * 2^256 back into r as k * (2^32 + 977), repeating while that itself carries out. k < 2^16.
fn fe_fold(r: ptr<function, Fe>, k: u32) {
  var kk = k;
  loop {
    if (kk == 0u) { break; }
    var c = kk * FE_FOLD_LO;
    var t = (*r)[0] + c;
    (*r)[0] = t & 0xffffu; c = t >> 16u;
    t = (*r)[1] + c;
    (*r)[1] = t & 0xffffu; c = t >> 16u;
    t = (*r)[2] + kk + c;
    (*r)[2] = t & 0xffffu; c = t >> 16u;
    for (var i = 3u; i < 16u; i++) {
      if (c == 0u) { break; }
      t = (*r)[i] + c;
      (*r)[i] = t & 0xffffu; c = t >> 16u;
    }
    kk = c;
  }
}

fn fe_add(a: Fe, b: Fe) -> Fe {
  var r: Fe;
  var c = 0u;
  for (var i = 0u; i < 16u; i++) {
    let t = a[i] + b[i] + c;
    r[i] = t & 0xffffu;
    c = t >> 16u;
  }
  fe_fold(&r, c);
  return r;
}

// Subtracts 2^32 + 977 (adds p - 2^256) from r modulo 2^256; returns 1 if that borrowed.
fn fe_sub_fold(r: ptr<function, Fe>) -> u32 {
  var br = 0u;
  for (var i = 0u; i < 16u; i++) {
    var s = br;
    if (i == 0u) { s += FE_FOLD_LO; }
    if (i == 2u) { s += 1u; }
    let t = (*r)[i] + 0x10000u - s;
    (*r)[i] = t & 0xffffu;
    br = 1u - (t >> 16u);
  }
  return br;
}

fn fe_sub(a: Fe, b: Fe) -> Fe {
  var r: Fe;
  var br = 0u;
  for (var i = 0u; i < 16u; i++) {
    let t = a[i] + 0x10000u - b[i] - br;
    r[i] = t & 0xffffu;
    br = 1u - (t >> 16u);
  }
  // A borrow means r = a - b + 2^256; adding p - 2^256 (at most twice, as a - b > -2^256 > -2p)
  // brings it back to a - b mod p.
  if (br != 0u) {
    if (fe_sub_fold(&r) != 0u) {
      fe_sub_fold(&r);
    }
  }
  return r;
}

fn fe_neg(a: Fe) -> Fe {
  return fe_sub(fe_zero(), a);
}

// a * k for a small k < 2^16.
fn fe_mul_small(a: Fe, k: u32) -> Fe {
  var r: Fe;
  var c = 0u;
  for (var i = 0u; i < 16u; i++) {
    let t = a[i] * k + c;
    r[i] = t & 0xffffu;
    c = t >> 16u;
  }
  fe_fold(&r, c);
  return r;
}

// Reduces a 512-bit product (32 limbs of 16 bits) using 2^256 = 2^32 + 977 (mod p).
fn fe_reduce_wide(t: ptr<function, array<u32, 32>>) -> Fe {
  var r: Fe;
  var c = 0u;
  // low + high * 977 + high << 32; each column stays below 2^27.
  for (var i = 0u; i < 16u; i++) {
    var acc = (*t)[i] + (*t)[16u + i] * FE_FOLD_LO + c;
    if (i >= 2u) { acc += (*t)[14u + i]; }
    r[i] = acc & 0xffffu;
    c = acc >> 16u;
  }
  // What is left above bit 256: c + high[14] + high[15] * 2^16, as two 16-bit-ish digits.
  let k0full = c + (*t)[30];
  let k0 = k0full & 0xffffu;
  let k1 = (k0full >> 16u) + (*t)[31];
  var acc = r[0] + k0 * FE_FOLD_LO;
  r[0] = acc & 0xffffu; c = acc >> 16u;
  acc = r[1] + k1 * FE_FOLD_LO + c;
  r[1] = acc & 0xffffu; c = acc >> 16u;
  acc = r[2] + k0 + c;
  r[2] = acc & 0xffffu; c = acc >> 16u;
  acc = r[3] + k1 + c;
  r[3] = acc & 0xffffu; c = acc >> 16u;
  for (var i = 4u; i < 16u; i++) {
    if (c == 0u) { break; }
    acc = r[i] + c;
    r[i] = acc & 0xffffu; c = acc >> 16u;
  }
  fe_fold(&r, c);
  return r;
}

fn fe_mul(a: Fe, b: Fe) -> Fe {
  var t: array<u32, 32>;
  for (var i = 0u; i < 16u; i++) {
    let ai = a[i];
    var c = 0u;
    for (var j = 0u; j < 16u; j++) {
      let x = t[i + j] + ai * b[j] + c;
      t[i + j] = x & 0xffffu;
      c = x >> 16u;
    }
    t[i + 16u] = c;
  }
  return fe_reduce_wide(&t);
}

// Squaring: each cross product a[i]*a[j] (i < j) once, then doubled, then the squares added.
fn fe_sqr(a: Fe) -> Fe {
  var t: array<u32, 32>;
  for (var i = 0u; i < 15u; i++) {
    let ai = a[i];
    var c = 0u;
    for (var j = i + 1u; j < 16u; j++) {
      let x = t[i + j] + ai * a[j] + c;
      t[i + j] = x & 0xffffu;
      c = x >> 16u;
    }
    t[i + 16u] = c;
  }
  // Double the cross products and add the diagonal squares, limb by limb.
  var c = 0u;
  for (var i = 0u; i < 16u; i++) {
    let sq = a[i] * a[i];
    let lo = (t[2u * i] << 1u) + (sq & 0xffffu) + c;
    t[2u * i] = lo & 0xffffu;
    let hi = (t[2u * i + 1u] << 1u) + (sq >> 16u) + (lo >> 16u);
    t[2u * i + 1u] = hi & 0xffffu;
    c = hi >> 16u;
  }
  return fe_reduce_wide(&t);
}

// The unique representative in [0, p): a >= p exactly when a + (2^32 + 977) carries out of 2^256,
// and then the low 256 bits of that sum are a - p.
fn fe_canon(a: Fe) -> Fe {
  var r: Fe;
  var c = 0u;
  for (var i = 0u; i < 16u; i++) {
    var s = a[i] + c;
    if (i == 0u) { s += FE_FOLD_LO; }
    if (i == 2u) { s += 1u; }
    r[i] = s & 0xffffu;
    c = s >> 16u;
  }
  if (c != 0u) { return r; }
  return a;
}

fn fe_is_zero(a: Fe) -> bool {
  let r = fe_canon(a);
  var acc = 0u;
  for (var i = 0u; i < 16u; i++) {
    acc |= r[i];
  }
  return acc == 0u;
}

fn fe_equal(a: Fe, b: Fe) -> bool {
  return fe_is_zero(fe_sub(a, b));
}

// Exponents of the inverse (Fermat, a^(p-2)) and of the square root (a^((p+1)/4), as p = 3 mod 4).
const FE_P_MINUS_2 = Fe(0xfc2du, 0xffffu, 0xfffeu, 0xffffu, 0xffffu, 0xffffu, 0xffffu, 0xffffu,
                        0xffffu, 0xffffu, 0xffffu, 0xffffu, 0xffffu, 0xffffu, 0xffffu, 0xffffu);
const FE_SQRT_EXP = Fe(0xff0cu, 0xbfffu, 0xffffu, 0xffffu, 0xffffu, 0xffffu, 0xffffu, 0xffffu,
                       0xffffu, 0xffffu, 0xffffu, 0xffffu, 0xffffu, 0xffffu, 0xffffu, 0x3fffu);

// a^e with a 4-bit fixed window. A generic loop rather than a dedicated addition chain on purpose:
// drivers that inline every call (SwiftShader does) pay for each call site of fe_mul in compile
// time and memory, and this has three of them, against ~30 for libsecp256k1's chains.
fn fe_pow(a: Fe, e: Fe) -> Fe {
  var table: array<Fe, 16>;
  table[0] = fe_one();
  table[1] = a;
  for (var k = 2u; k < 16u; k++) {
    table[k] = fe_mul(table[k - 1u], a);
  }
  var acc = table[e[15] >> 12u];
  for (var w = 62i; w >= 0i; w--) {
    for (var k = 0u; k < 4u; k++) {
      acc = fe_sqr(acc);
    }
    let nib = (e[u32(w) >> 2u] >> ((u32(w) & 3u) * 4u)) & 0xfu;
    if (nib != 0u) {
      acc = fe_mul(acc, table[nib]);
    }
  }
  return acc;
}

// a^-1 for a != 0; 0 maps to 0.
fn fe_inv(a: Fe) -> Fe {
  return fe_pow(a, FE_P_MINUS_2);
}

// A square root of a when a is a quadratic residue; the caller checks it squares back to a.
fn fe_sqrt_candidate(a: Fe) -> Fe {
  return fe_pow(a, FE_SQRT_EXP);
}
