// ECDSA public-key recovery on secp256k1, one signature per invocation, with the rejection rules of
// @noble/curves (the project's reference): r or s outside [1, n) -> invalid; no curve point with
// x = r -> invalid; result at infinity -> invalid; high s accepted; the hash is reduced mod n.
//
// Q = r^-1 (s R - e G) = u1 G + u2 R with u1 = -e r^-1, u2 = s r^-1 (mod n).
// u1 G uses a fixed-base table uploaded once by the host: entry (i, j) = j * 2^(8i) * G for byte
// position i in 0..31 and byte value j in 1..255, so u1 G costs at most 32 mixed additions.
// u2 R uses a 4-bit window over a table of R..15R built per signature.
//
// Input: packed 97-byte records hash ‖ r ‖ s ‖ recovery (big-endian numbers), read as bytes out of
// a u32 array. Output: 16 words per item, the bytes of x ‖ y big-endian in memory order, then one
// valid flag word per item after all the keys.

@group(0) @binding(0) var<storage, read> records: array<u32>;
@group(0) @binding(1) var<storage, read> g_table: array<u32>;
@group(0) @binding(2) var<storage, read_write> out_words: array<u32>;

struct RecoverParams {
  count: u32,
  _pad0: u32,
  _pad1: u32,
  _pad2: u32,
}
@group(0) @binding(3) var<uniform> params: RecoverParams;

const RECORD_BYTES: u32 = 97u;
const G_TABLE_ROW: u32 = 255u;
const G_ENTRY_WORDS: u32 = 16u;

fn record_byte(k: u32) -> u32 {
  return (records[k >> 2u] >> ((k & 3u) * 8u)) & 0xffu;
}

// The big-endian 32-byte number at byte offset `at` of the records.
fn load_be256(at: u32) -> Fe {
  var r: Fe;
  for (var l = 0u; l < 16u; l++) {
    let k = at + 30u - 2u * l;
    r[l] = (record_byte(k) << 8u) | record_byte(k + 1u);
  }
  return r;
}

// Affine point (x, y) of G-table entry `e`, stored as 8 + 8 little-endian u32 words.
fn g_entry(e: u32, y_half: u32) -> Fe {
  var r: Fe;
  let base = e * G_ENTRY_WORDS + y_half * 8u;
  for (var k = 0u; k < 8u; k++) {
    let w = g_table[base + k];
    r[2u * k] = w & 0xffffu;
    r[2u * k + 1u] = w >> 16u;
  }
  return r;
}

// u * G from the fixed-base table, added onto acc.
fn add_mul_g(acc: Jac, u: Fe) -> Jac {
  var q = acc;
  for (var i = 0u; i < 32u; i++) {
    let byte = (u[i >> 1u] >> ((i & 1u) * 8u)) & 0xffu;
    if (byte != 0u) {
      let e = i * G_TABLE_ROW + byte - 1u;
      q = jac_add_affine(q, g_entry(e, 0u), g_entry(e, 1u));
    }
  }
  return q;
}

// u * R for affine R (4-bit fixed window, most significant nibble first).
fn mul_point(rx: Fe, ry: Fe, u: Fe) -> Jac {
  var table: array<Jac, 16>;
  table[1] = jac_from_affine(rx, ry);
  table[2] = jac_double(table[1]);
  for (var k = 3u; k < 16u; k++) {
    table[k] = jac_add_affine(table[k - 1u], rx, ry);
  }
  var q = jac_infinity();
  for (var w = 63i; w >= 0i; w--) {
    for (var k = 0u; k < 4u; k++) {
      q = jac_double(q);
    }
    let nib = (u[u32(w) >> 2u] >> ((u32(w) & 3u) * 4u)) & 0xfu;
    if (nib != 0u) {
      q = jac_add(q, table[nib]);
    }
  }
  return q;
}

// Writes the 32 big-endian bytes of canonical v as 8 words at out_words[at..].
fn store_be256(at: u32, v: Fe) {
  for (var w = 0u; w < 8u; w++) {
    let hi = v[15u - 2u * w];
    let lo = v[14u - 2u * w];
    out_words[at + w] = (hi >> 8u) | ((hi & 0xffu) << 8u) | ((lo >> 8u) << 16u) | ((lo & 0xffu) << 24u);
  }
}

// The recovered key of record `i`; returns false where the signature is invalid.
fn recover_one(i: u32) -> bool {
  let base = i * RECORD_BYTES;
  let r = load_be256(base + 32u);
  let s = load_be256(base + 64u);
  if (!sc_in_range(r) || !sc_in_range(s)) { return false; }
  let e = sc_reduce(load_be256(base));
  let odd = record_byte(base + 96u) & 1u;

  // R = (r, y) with y^2 = r^3 + 7 and y's parity given by the recovery id (r < n < p, so r is
  // already a canonical field element).
  let y2 = fe_add(fe_mul(fe_sqr(r), r), fe_mul_small(fe_one(), 7u));
  var y = fe_canon(fe_sqrt_candidate(y2));
  if (!fe_equal(fe_sqr(y), y2)) { return false; }
  if ((y[0] & 1u) != odd) { y = fe_canon(fe_neg(y)); }

  let r_inv = sc_inv(r);
  let u1 = sc_mul(sc_neg(e), r_inv);
  let u2 = sc_mul(s, r_inv);
  let q = add_mul_g(mul_point(r, y, u2), u1);
  if (q.inf != 0u) { return false; }

  let z_inv = fe_inv(q.z);
  let z_inv2 = fe_sqr(z_inv);
  let qx = fe_canon(fe_mul(q.x, z_inv2));
  let qy = fe_canon(fe_mul(q.y, fe_mul(z_inv2, z_inv)));
  store_be256(i * 16u, qx);
  store_be256(i * 16u + 8u, qy);
  return true;
}

@compute @workgroup_size(64)
fn recover_main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  if (i >= params.count) { return; }
  // Invalid items leave early; their lanes idle while the rest of the wave computes.
  let ok = recover_one(i);
  out_words[params.count * 16u + i] = select(0u, 1u, ok);
}
