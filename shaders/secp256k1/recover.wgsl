// ECDSA public-key recovery on secp256k1 with the rejection rules of @noble/curves (the project's
// reference): r or s outside [1, n) -> invalid; no curve point with x = r -> invalid; result at
// infinity -> invalid; high s accepted; the hash is reduced mod n.
//
// Q = r^-1 (s R - e G) = u1 G + u2 R with u1 = -e r^-1, u2 = s r^-1 (mod n), in three passes over
// the batch, one invocation per signature, each item's state carried between them in `state`:
// 1. recover_prepare: parse and range-check, r^-1 for the whole workgroup at once (batch_invert),
//    u1 and u2.
// 2. recover_multiply: Q = u1 G + u2 R in Jacobian coordinates (multiply.wgsl).
// 3. recover_finish: 1/Z for the whole workgroup at once, then the affine key or its address.
// Only the small passes synchronize their workgroups; the long one runs without barriers, at its
// own workgroup size.
//
// Input: packed 97-byte records hash ‖ r ‖ s ‖ recovery (big-endian numbers), read as bytes out of
// a u32 array. Output, by params.mode: MODE_KEYS writes 16 words per item, the bytes of x ‖ y
// big-endian in memory order; MODE_ADDRESSES writes 5 words per item, the 20 address bytes
// (addresses.wgsl). Either way one valid flag word per item follows all the items' words.

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
// STATE_WORDS per item. After recover_prepare: [0] 1 if r and s are in range, [1..8] u1 and
// [9..16] u2 (two 16-bit limbs a word). After recover_multiply: [0] 1 if Q is a valid result,
// [1..10] X, [11..20] Y, [21..30] Z (two 13-bit limbs a word).
@group(0) @binding(4) var<storage, read_write> state: array<u32>;

const MODE_KEYS: u32 = 0u;
const MODE_ADDRESSES: u32 = 1u;
const RECORD_BYTES: u32 = 97u;
const STATE_WORDS: u32 = 32u;
// x then y, each 10 words of two 13-bit limbs (limb 2k in bits 0..12, limb 2k + 1 in bits 13..25).
const G_ENTRY_WORDS: u32 = 20u;

// Lanes per workgroup of recover_multiply (the host sets it).
override MULTIPLY_SIZE: u32 = 64u;

fn record_byte(k: u32) -> u32 {
  return (records[k >> 2u] >> ((k & 3u) * 8u)) & 0xffu;
}

// The big-endian 32-byte number at byte offset `at` of the records.
fn load_be256(at: u32) -> Sc {
  var r: Sc;
  for (var l = 0u; l < 16u; l++) {
    let k = at + 30u - 2u * l;
    r[l] = (record_byte(k) << 8u) | record_byte(k + 1u);
  }
  return r;
}

// G-table entry `e`: its affine x and y.
fn g_entry(e: u32) -> array<Fe, 2> {
  var xy: array<Fe, 2>;
  let base = e * G_ENTRY_WORDS;
  for (var c = 0u; c < 2u; c++) {
    for (var k = 0u; k < 10u; k++) {
      let w = g_table[base + 10u * c + k];
      xy[c][2u * k] = w & FE_MASK;
      xy[c][2u * k + 1u] = w >> 13u;
    }
  }
  return xy;
}

fn store_sc(at: u32, a: Sc) {
  for (var k = 0u; k < 8u; k++) {
    state[at + k] = a[2u * k] | (a[2u * k + 1u] << 16u);
  }
}

fn load_sc(at: u32) -> Sc {
  var a: Sc;
  for (var k = 0u; k < 8u; k++) {
    let w = state[at + k];
    a[2u * k] = w & 0xffffu;
    a[2u * k + 1u] = w >> 16u;
  }
  return a;
}

// Limbs may reach 2^13 (field.wgsl's invariant), one bit too many to pack: fe_strict first.
fn store_fe(at: u32, a: Fe) {
  let s = fe_strict(a);
  for (var k = 0u; k < 10u; k++) {
    state[at + k] = s[2u * k] | (s[2u * k + 1u] << 13u);
  }
}

fn load_fe(at: u32) -> Fe {
  var a: Fe;
  for (var k = 0u; k < 10u; k++) {
    let w = state[at + k];
    a[2u * k] = w & FE_MASK;
    a[2u * k + 1u] = w >> 13u;
  }
  return a;
}

// ---- Pass 1

@compute @workgroup_size(BATCH_SIZE)
fn recover_prepare(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
  op_phase(PHASE_PREPARE);
  let i = gid.x;
  let count = params.count;
  var ok = false;
  var r: Sc;
  var s: Sc;
  var e: Sc;
  if (i < count) {
    let base = i * RECORD_BYTES;
    r = load_be256(base + 32u);
    s = load_be256(base + 64u);
    e = sc_reduce(load_be256(base));
    ok = sc_in_range(r) && sc_in_range(s);
  }
  var leaf = SC_MONT_ONE;
  if (ok) { leaf = sc_to_mont(r); }
  // Every lane reaches the barriers, past-the-batch and invalid ones included.
  let r_inv = slot_to_sc(batch_invert(BATCH_SCALAR, lane, sc_to_slot(leaf)));
  if (i >= count) { return; }
  let at = i * STATE_WORDS;
  state[at] = select(0u, 1u, ok);
  if (ok) {
    // Montgomery products with the Montgomery-form inverse: plain -e r^-1 and s r^-1.
    var u = array<Sc, 2>(sc_neg(e), s);
    for (var k = 0u; k < 2u; k++) {
      store_sc(at + 1u + 8u * k, sc_mont_mul(u[k], r_inv));
    }
  }
}

// ---- Pass 2

@compute @workgroup_size(MULTIPLY_SIZE)
fn recover_multiply(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  if (i >= params.count) { return; }
  let at = i * STATE_WORDS;
  if (state[at] == 0u) { return; }
  let base = i * RECORD_BYTES;
  let q = recover_point(load_be256(base + 32u), record_byte(base + 96u) & 1u, load_sc(at + 1u), load_sc(at + 9u));
  state[at] = select(1u, 0u, q.inf != 0u);
  if (q.inf == 0u) {
    store_fe(at + 1u, q.x);
    store_fe(at + 11u, q.y);
    store_fe(at + 21u, q.z);
  }
}

// ---- Pass 3

// The 64 bytes x ‖ y (each big-endian) as 16 words whose little-endian memory order is that byte
// string: the key as the host reads it, and the message block Keccak absorbs.
fn key_words(x: Fe, y: Fe) -> array<u32, 16> {
  let xs = fe_to_sc(x);
  let ys = fe_to_sc(y);
  var out: array<u32, 16>;
  for (var w = 0u; w < 16u; w++) {
    var v = xs;
    if (w >= 8u) { v = ys; }
    let hi = v[15u - 2u * (w & 7u)];
    let lo = v[14u - 2u * (w & 7u)];
    out[w] = (hi >> 8u) | ((hi & 0xffu) << 8u) | ((lo >> 8u) << 16u) | ((lo & 0xffu) << 24u);
  }
  return out;
}

@compute @workgroup_size(BATCH_SIZE)
fn recover_finish(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
  op_phase(PHASE_FINISH);
  let i = gid.x;
  let count = params.count;
  let at = i * STATE_WORDS;
  var ok = false;
  var leaf = fe_one();
  if (i < count) {
    ok = state[at] != 0u;
    if (ok) { leaf = load_fe(at + 21u); }
  }
  let z_inv = batch_invert(BATCH_FIELD, lane, leaf);
  if (i >= count) { return; }
  var item_words = 16u;
  if (params.mode == MODE_ADDRESSES) { item_words = 5u; }
  if (ok) {
    let z_inv2 = fe_sqr(z_inv);
    let x = fe_mul(load_fe(at + 1u), z_inv2);
    let y = fe_mul(load_fe(at + 11u), fe_mul(z_inv2, z_inv));
    let words = key_words(x, y);
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
  out_words[count * item_words + i] = select(0u, 1u, ok);
}
