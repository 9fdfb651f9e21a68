// secp256k1 scalar arithmetic, mod n (the group order), in the same 16 x 16-bit limb layout as Fe.
//
// Only a handful of scalar operations happen per signature (range checks, one inversion, two
// products), so a generic Montgomery multiplication (CIOS, R = 2^256) is used rather than a
// special reduction: with 16-bit limbs every step t + a*b + carry stays within 32 bits.

// n, least significant limb first.
const SC_N = Fe(0x4141u, 0xd036u, 0x5e8cu, 0xbfd2u, 0xa03bu, 0xaf48u, 0xdce6u, 0xbaaeu,
                0xfffeu, 0xffffu, 0xffffu, 0xffffu, 0xffffu, 0xffffu, 0xffffu, 0xffffu);
// n - 2, the Fermat exponent of the inverse.
const SC_N_MINUS_2 = Fe(0x413fu, 0xd036u, 0x5e8cu, 0xbfd2u, 0xa03bu, 0xaf48u, 0xdce6u, 0xbaaeu,
                        0xfffeu, 0xffffu, 0xffffu, 0xffffu, 0xffffu, 0xffffu, 0xffffu, 0xffffu);
// R^2 mod n, to enter the Montgomery domain.
const SC_R2 = Fe(0xd140u, 0x67d7u, 0xf214u, 0x896cu, 0xf878u, 0x0e7cu, 0x96c2u, 0x7414u,
                 0x07c6u, 0x5bcdu, 0xf5e4u, 0xe697u, 0x9bc5u, 0x81c6u, 0x1cd5u, 0x9d67u);
// -n^-1 mod 2^16.
const SC_N_INV16: u32 = 0xb13fu;

// a - n modulo 2^256 and whether it borrowed (a < n).
struct ScSub {
  diff: Fe,
  borrow: u32,
}

fn sc_sub_n(a: Fe) -> ScSub {
  let n = SC_N;
  var r: Fe;
  var br = 0u;
  for (var i = 0u; i < 16u; i++) {
    let t = a[i] + 0x10000u - n[i] - br;
    r[i] = t & 0xffffu;
    br = 1u - (t >> 16u);
  }
  return ScSub(r, br);
}

// True for 0 < a < n: the range ECDSA requires of r and s.
fn sc_in_range(a: Fe) -> bool {
  var acc = 0u;
  for (var i = 0u; i < 16u; i++) {
    acc |= a[i];
  }
  return acc != 0u && sc_sub_n(a).borrow != 0u;
}

// a mod n for any 256-bit a (a < 2^256 < 2n, so one subtraction suffices).
fn sc_reduce(a: Fe) -> Fe {
  let d = sc_sub_n(a);
  if (d.borrow != 0u) { return a; }
  return d.diff;
}

// -a mod n for a < n.
fn sc_neg(a: Fe) -> Fe {
  var acc = 0u;
  for (var i = 0u; i < 16u; i++) {
    acc |= a[i];
  }
  if (acc == 0u) { return a; }
  let n = SC_N;
  var r: Fe;
  var br = 0u;
  for (var i = 0u; i < 16u; i++) {
    let t = n[i] + 0x10000u - a[i] - br;
    r[i] = t & 0xffffu;
    br = 1u - (t >> 16u);
  }
  return r;
}

// a * b * 2^-256 mod n, for a < 2^256 and b < n; the result is < n.
fn sc_mont_mul(a: Fe, b: Fe) -> Fe {
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
  var r: Fe;
  for (var i = 0u; i < 16u; i++) {
    r[i] = t[i];
  }
  // t < 2n: subtract n once if t (with its limb 16) is >= n.
  let d = sc_sub_n(r);
  if (t[16] != 0u || d.borrow == 0u) { return d.diff; }
  return r;
}

// a * 2^256 mod n: a in the Montgomery domain.
fn sc_to_mont(a: Fe) -> Fe {
  return sc_mont_mul(a, SC_R2);
}

// a^-1 * 2^256 mod n for 0 < a < n: the inverse in the Montgomery domain, so that
// sc_mont_mul(x, sc_inv_mont(a)) = x * a^-1 mod n directly. Fermat (a^(n-2)), 4-bit fixed window.
fn sc_inv_mont(a: Fe) -> Fe {
  var table: array<Fe, 16>;
  table[1] = sc_to_mont(a);
  for (var k = 2u; k < 16u; k++) {
    table[k] = sc_mont_mul(table[k - 1u], table[1]);
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

// a^-1 mod n for 0 < a < n, in the normal domain.
fn sc_inv(a: Fe) -> Fe {
  return sc_mont_mul(sc_inv_mont(a), fe_one());
}

// a * b mod n for a < 2^256, b < n.
fn sc_mul(a: Fe, b: Fe) -> Fe {
  return sc_mont_mul(sc_to_mont(a), b);
}
