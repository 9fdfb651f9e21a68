// ECDSA public-key recovery on secp256k1, one signature per invocation, with the rejection rules of
// @noble/curves (the project's reference): r or s outside [1, n) -> invalid; no curve point with
// x = r -> invalid; result at infinity -> invalid; high s accepted; the hash is reduced mod n.
//
// Q = r^-1 (s R - e G) = u1 G + u2 R with u1 = -e r^-1, u2 = s r^-1 (mod n).
// u1 G uses a fixed-base table uploaded once by the host: entry (i, j) = j * 2^(8i) * G for byte
// position i in 0..31 and byte value j in 1..255, so u1 G costs at most 32 mixed additions.
// u2 R uses a 4-bit window over a table of R..15R built per signature (see mul_add).
//
// Input: packed 97-byte records hash ‖ r ‖ s ‖ recovery (big-endian numbers), read as bytes out of
// a u32 array. Output, by params.mode: MODE_KEYS writes 16 words per item, the bytes of x ‖ y
// big-endian in memory order; MODE_ADDRESSES writes 5 words per item, the 20 address bytes
// (addresses.wgsl). Either way one valid flag word per item follows all the items' words. One
// entry point for both, so drivers compile the big recovery code once.

@group(0) @binding(0) var<storage, read> records: array<u32>;
@group(0) @binding(1) var<storage, read> g_table: array<u32>;
@group(0) @binding(2) var<storage, read_write> out_words: array<u32>;

struct RecoverParams {
  count: u32,
  mode: u32,
  _pad1: u32,
  _pad2: u32,
}
@group(0) @binding(3) var<uniform> params: RecoverParams;

const MODE_KEYS: u32 = 0u;
const MODE_ADDRESSES: u32 = 1u;
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

// G-table entry `e` as a point with Z = 1; x and y are stored as 8 little-endian u32 words each.
fn g_entry(e: u32) -> Jac {
  var x: Fe;
  var y: Fe;
  let base = e * G_ENTRY_WORDS;
  for (var k = 0u; k < 8u; k++) {
    let wx = g_table[base + k];
    let wy = g_table[base + 8u + k];
    x[2u * k] = wx & 0xffffu;
    x[2u * k + 1u] = wx >> 16u;
    y[2u * k] = wy & 0xffffu;
    y[2u * k + 1u] = wy >> 16u;
  }
  return jac_from_affine(x, y);
}

// Steps of u1 G + u2 R, one group operation each: build R..15R, then per 4-bit window of u2
// (most significant first) 4 doublings and one addition, then one addition per byte of u1 from the
// G table. All of them go through the single jac_add / jac_double below: one loop, one copy of each
// formula, and every lane of a wave doing the same kind of step at the same time.
const STEPS_TABLE: u32 = 14u;
const STEPS_WINDOWS: u32 = 64u * 5u;
const STEPS_G: u32 = 32u;

fn mul_add(rx: Fe, ry: Fe, u2: Fe, u1: Fe) -> Jac {
  var table: array<Jac, 16>;
  table[1] = jac_from_affine(rx, ry);
  var acc = jac_infinity();
  for (var step = 0u; step < STEPS_TABLE + STEPS_WINDOWS + STEPS_G; step++) {
    var p = acc;
    var q: Jac;
    var q_affine = false;
    var double_it = false;
    var into_table = 0u;
    if (step < STEPS_TABLE) {
      into_table = step + 2u;
      p = table[into_table - 1u];
      q = table[1];
      q_affine = true;
    } else if (step < STEPS_TABLE + STEPS_WINDOWS) {
      let m = step - STEPS_TABLE;
      let sub = m % 5u;
      if (sub < 4u) {
        double_it = true;
      } else {
        let w = 63u - m / 5u;
        let nib = (u2[w >> 2u] >> ((w & 3u) * 4u)) & 0xfu;
        if (nib == 0u) { continue; }
        q = table[nib];
      }
    } else {
      let i = step - STEPS_TABLE - STEPS_WINDOWS;
      let byte = (u1[i >> 1u] >> ((i & 1u) * 8u)) & 0xffu;
      if (byte == 0u) { continue; }
      q = g_entry(i * G_TABLE_ROW + byte - 1u);
      q_affine = true;
    }
    var res: Jac;
    if (!double_it) {
      let s = jac_add(p, q, q_affine);
      double_it = s.is_double != 0u;
      res = s.sum;
    }
    if (double_it) {
      res = jac_double(p);
    }
    if (into_table != 0u) {
      table[into_table] = res;
    } else {
      acc = res;
    }
  }
  return acc;
}

// The 64 bytes x ‖ y (each big-endian) as 16 words whose little-endian memory order is that byte
// string: the key as the host reads it, and the message block Keccak absorbs.
fn key_words(x: Fe, y: Fe) -> array<u32, 16> {
  var out: array<u32, 16>;
  for (var w = 0u; w < 16u; w++) {
    var v = x;
    if (w >= 8u) { v = y; }
    let hi = v[15u - 2u * (w & 7u)];
    let lo = v[14u - 2u * (w & 7u)];
    out[w] = (hi >> 8u) | ((hi & 0xffu) << 8u) | ((lo >> 8u) << 16u) | ((lo & 0xffu) << 24u);
  }
  return out;
}

struct RecoveredKey {
  ok: bool,
  x: Fe,
  y: Fe,
}

// The public key of record `i` in canonical affine coordinates; ok is false where the signature is
// invalid (and x, y are then meaningless).
fn recover_key(i: u32) -> RecoveredKey {
  var fail: RecoveredKey;
  fail.ok = false;
  let base = i * RECORD_BYTES;
  let r = load_be256(base + 32u);
  let s = load_be256(base + 64u);
  if (!sc_in_range(r) || !sc_in_range(s)) { return fail; }
  let e = sc_reduce(load_be256(base));
  let odd = record_byte(base + 96u) & 1u;

  // R = (r, y) with y^2 = r^3 + 7 and y's parity given by the recovery id (r < n < p, so r is
  // already a canonical field element).
  let y2 = fe_add(fe_mul(fe_sqr(r), r), fe_mul_small(fe_one(), 7u));
  var y = fe_canon(fe_sqrt_candidate(y2));
  if (!fe_equal(fe_sqr(y), y2)) { return fail; }
  if ((y[0] & 1u) != odd) { y = fe_canon(fe_neg(y)); }

  // u1 = -e r^-1, u2 = s r^-1: Montgomery products with the Montgomery-form inverse.
  let r_inv = sc_inv_mont(r);
  var u: array<Fe, 2>;
  u[0] = sc_neg(e);
  u[1] = s;
  for (var k = 0u; k < 2u; k++) {
    u[k] = sc_mont_mul(u[k], r_inv);
  }
  let q = mul_add(r, y, u[1], u[0]);
  if (q.inf != 0u) { return fail; }

  let z_inv = fe_inv(q.z);
  let z_inv2 = fe_sqr(z_inv);
  return RecoveredKey(true, fe_canon(fe_mul(q.x, z_inv2)), fe_canon(fe_mul(q.y, fe_mul(z_inv2, z_inv))));
}

@compute @workgroup_size(64)
fn recover_main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  let count = params.count;
  if (i >= count) { return; }
  // Invalid items leave recover_key early; their lanes idle while the rest of the wave computes.
  let key = recover_key(i);
  var item_words = 16u;
  if (params.mode == MODE_ADDRESSES) { item_words = 5u; }
  if (key.ok) {
    let words = key_words(key.x, key.y);
    if (params.mode == MODE_ADDRESSES) {
      let addr = key_address(words);
      for (var w = 0u; w < 5u; w++) {
        out_words[i * 5u + w] = addr[w];
      }
    } else {
      for (var w = 0u; w < 16u; w++) {
        out_words[i * 16u + w] = words[w];
      }
    }
  }
  out_words[count * item_words + i] = select(0u, 1u, key.ok);
}
