// secp256k1 scalar arithmetic, mod n (the group order).
//
// A scalar is 16 limbs of 16 bits, least significant first. Only a handful of scalar operations
// happen per signature (range checks, two products, one split; the inverse is shared by a
// workgroup, see batch_invert), so a generic Montgomery multiplication (CIOS, R = 2^256) is used
// rather than a special reduction: with 16-bit limbs every step t + a*b + carry stays within 32 bits.

alias Sc = array<u32, 16>;

// n, least significant limb first.
const SC_N = Sc(0x4141u, 0xd036u, 0x5e8cu, 0xbfd2u, 0xa03bu, 0xaf48u, 0xdce6u, 0xbaaeu,
                0xfffeu, 0xffffu, 0xffffu, 0xffffu, 0xffffu, 0xffffu, 0xffffu, 0xffffu);
// n - 2, the Fermat exponent of the inverse.
const SC_N_MINUS_2 = Sc(0x413fu, 0xd036u, 0x5e8cu, 0xbfd2u, 0xa03bu, 0xaf48u, 0xdce6u, 0xbaaeu,
                        0xfffeu, 0xffffu, 0xffffu, 0xffffu, 0xffffu, 0xffffu, 0xffffu, 0xffffu);
// R^2 mod n, to enter the Montgomery domain.
const SC_R2 = Sc(0xd140u, 0x67d7u, 0xf214u, 0x896cu, 0xf878u, 0x0e7cu, 0x96c2u, 0x7414u,
                 0x07c6u, 0x5bcdu, 0xf5e4u, 0xe697u, 0x9bc5u, 0x81c6u, 0x1cd5u, 0x9d67u);
// R mod n: 1 in the Montgomery domain.
const SC_MONT_ONE = Sc(0xbebfu, 0x2fc9u, 0xa173u, 0x402du, 0x5fc4u, 0x50b7u, 0x2319u, 0x4551u,
                       0x0001u, 0u, 0u, 0u, 0u, 0u, 0u, 0u);
// -n^-1 mod 2^16.
const SC_N_INV16: u32 = 0xb13fu;

// a - n modulo 2^256 and whether it borrowed (a < n).
struct ScSub {
  diff: Sc,
  borrow: u32,
}

fn sc_sub_n(a: Sc) -> ScSub {
  let n = SC_N;
  var r: Sc;
  var br = 0u;
  for (var i = 0u; i < 16u; i++) {
    let t = a[i] + 0x10000u - n[i] - br;
    r[i] = t & 0xffffu;
    br = 1u - (t >> 16u);
  }
  return ScSub(r, br);
}

fn sc_is_zero(a: Sc) -> bool {
  var acc = 0u;
  for (var i = 0u; i < 16u; i++) {
    acc |= a[i];
  }
  return acc == 0u;
}

// True for 0 < a < n: the range ECDSA requires of r and s.
fn sc_in_range(a: Sc) -> bool {
  return !sc_is_zero(a) && sc_sub_n(a).borrow != 0u;
}

// a mod n for any 256-bit a (a < 2^256 < 2n, so one subtraction suffices).
fn sc_reduce(a: Sc) -> Sc {
  let d = sc_sub_n(a);
  if (d.borrow != 0u) { return a; }
  return d.diff;
}

// -a mod n for a < n.
fn sc_neg(a: Sc) -> Sc {
  if (sc_is_zero(a)) { return a; }
  return sc_sub_wrap(SC_N, a);
}

// a * b * 2^-256 mod n, for a < 2^256 and b < n; the result is < n.
fn sc_mont_mul(a: Sc, b: Sc) -> Sc {
  count_op(OP_SC_MUL);
  let n = SC_N;
  var t: array<u32, 18>;
  for (var i = 0u; i < 16u; i++) {
    let ai = a[i];
    var c = 0u;
    for (var j = 0u; j < 16u; j++) {
      let x = t[j] + ai * b[j] + c;
      t[j] = x & 0xffffu;
      c = x >> 16u;
    }
    var x = t[16] + c;
    t[16] = x & 0xffffu;
    t[17] = x >> 16u;
    // Add m*n so the lowest limb becomes zero, then shift down one limb.
    let m = (t[0] * SC_N_INV16) & 0xffffu;
    x = t[0] + m * n[0];
    c = x >> 16u;
    for (var j = 1u; j < 16u; j++) {
      x = t[j] + m * n[j] + c;
      t[j - 1u] = x & 0xffffu;
      c = x >> 16u;
    }
    x = t[16] + c;
    t[15] = x & 0xffffu;
    t[16] = t[17] + (x >> 16u);
    t[17] = 0u;
  }
  var r: Sc;
  for (var i = 0u; i < 16u; i++) {
    r[i] = t[i];
  }
  // t < 2n: subtract n once if t (with its limb 16) is >= n.
  let d = sc_sub_n(r);
  if (t[16] != 0u || d.borrow == 0u) { return d.diff; }
  return r;
}

// a * 2^256 mod n: a in the Montgomery domain.
fn sc_to_mont(a: Sc) -> Sc {
  return sc_mont_mul(a, SC_R2);
}

// From the Montgomery form a·R of a != 0 to that of a^-1 (a^(n-2), 4-bit fixed window). Once per
// workgroup (batch_invert), so a generic loop rather than an addition chain.
fn sc_mont_inv(am: Sc) -> Sc {
  var table: array<Sc, 16>;
  table[1] = am;
  for (var k = 2u; k < 16u; k++) {
    table[k] = sc_mont_mul(table[k - 1u], am);
  }
  let e = SC_N_MINUS_2;
  // The top nibble of n - 2 is 0xf: start from it rather than from one.
  var acc = table[15];
  for (var w = 62i; w >= 0i; w--) {
    for (var k = 0u; k < 4u; k++) {
      acc = sc_mont_mul(acc, acc);
    }
    let nib = (e[u32(w) >> 2u] >> ((u32(w) & 3u) * 4u)) & 0xfu;
    if (nib != 0u) {
      acc = sc_mont_mul(acc, table[nib]);
    }
  }
  return acc;
}

// a - b mod 2^256.
fn sc_sub_wrap(a: Sc, b: Sc) -> Sc {
  var r: Sc;
  var br = 0u;
  for (var i = 0u; i < 16u; i++) {
    let t = a[i] + 0x10000u - b[i] - br;
    r[i] = t & 0xffffu;
    br = 1u - (t >> 16u);
  }
  return r;
}
