// Keccak-256 (Ethereum padding 0x01 .. 0x80, rate 136 bytes) of a packed batch of messages, one
// invocation per message. Assembled by the host after shaders/keccak/keccak_f1600.wgsl and one
// lane-layout file (shaders/keccak/lanes_plain.wgsl or lanes_interleaved.wgsl), which provide
// keccak_lane_in, keccak_lane_out and keccak_permute.
//
// Inputs are the packed layout of DESIGN.md: the message bytes back to back (msg_data, padded
// with at least one zero word so an unaligned read of the last word stays in bounds) and a table
// of (start, length) per message (msg_offsets), starts relative to params.data_base.

struct KeccakParams {
  // Messages in this dispatch.
  count: u32,
  // Byte offset of msg_data[0] in the batch the offsets refer to (a chunk of a larger batch).
  data_base: u32,
  // 1: invocation t hashes message msg_order[t] (messages sorted by length so that long ones
  // share warps with long ones); 0: invocation t hashes message t and msg_order is not read.
  indexed: u32,
  _pad: u32,
}

override WORKGROUP_SIZE: u32 = 64u;

@group(0) @binding(0) var<storage, read> msg_data: array<u32>;
@group(0) @binding(1) var<storage, read> msg_offsets: array<u32>;
@group(0) @binding(2) var<storage, read> msg_order: array<u32>;
@group(0) @binding(3) var<storage, read_write> digests: array<u32>;
@group(0) @binding(4) var<uniform> params: KeccakParams;

const RATE_BYTES: u32 = 136u;

// The 4 message bytes at any byte address, little-endian.
fn load_word(addr: u32) -> u32 {
  let i = addr >> 2u;
  let sh = (addr & 3u) * 8u;
  // Shifting by (31 - sh) then 1 yields 0 for sh == 0, where a shift by 32 would not.
  return (msg_data[i] >> sh) | ((msg_data[i + 1u] << (31u - sh)) << 1u);
}

// Word `o / 4` of the last block: the message's remaining `len` bytes (< 136) from `addr`, then
// the padding 0x01 after them and 0x80 in the block's last byte.
fn last_block_word(addr: u32, o: u32, len: u32) -> u32 {
  var w = 0u;
  if (o < len) {
    w = load_word(addr + o);
    let left = len - o;
    if (left < 4u) {
      w &= (1u << (left * 8u)) - 1u;
    }
  }
  if (o == (len & ~3u)) {
    w ^= 1u << ((len & 3u) * 8u);
  }
  if (o == RATE_BYTES - 4u) {
    w ^= 0x80000000u;
  }
  return w;
}

// XORs message lane k of a full block at `addr` into the state. Called with constant k so that
// the state is only ever indexed by constants and can live in registers.
fn absorb_full(s: ptr<function, array<u32, 50>>, k: u32, addr: u32) {
  let v = keccak_lane_in(load_word(addr + 8u * k), load_word(addr + 8u * k + 4u));
  (*s)[2u * k] ^= v.x;
  (*s)[2u * k + 1u] ^= v.y;
}

fn absorb_last(s: ptr<function, array<u32, 50>>, k: u32, addr: u32, len: u32) {
  let v = keccak_lane_in(last_block_word(addr, 8u * k, len), last_block_word(addr, 8u * k + 4u, len));
  (*s)[2u * k] ^= v.x;
  (*s)[2u * k + 1u] ^= v.y;
}

fn squeeze(s: ptr<function, array<u32, 50>>, k: u32, out: u32) {
  let v = keccak_lane_out(vec2<u32>((*s)[2u * k], (*s)[2u * k + 1u]));
  digests[out + 2u * k] = v.x;
  digests[out + 2u * k + 1u] = v.y;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn keccak256_main(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) groups: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  // Two-dimensional grid: batches above 65535 workgroups spill into y.
  let t = (wid.y * groups.x + wid.x) * WORKGROUP_SIZE + lid;
  if (t >= params.count) {
    return;
  }
  var m = t;
  if (params.indexed != 0u) {
    m = msg_order[t];
  }
  var addr = msg_offsets[2u * m] - params.data_base;
  var len = msg_offsets[2u * m + 1u];

  var s: array<u32, 50>;
  while (len >= RATE_BYTES) {
    absorb_full(&s, 0u, addr); absorb_full(&s, 1u, addr); absorb_full(&s, 2u, addr);
    absorb_full(&s, 3u, addr); absorb_full(&s, 4u, addr); absorb_full(&s, 5u, addr);
    absorb_full(&s, 6u, addr); absorb_full(&s, 7u, addr); absorb_full(&s, 8u, addr);
    absorb_full(&s, 9u, addr); absorb_full(&s, 10u, addr); absorb_full(&s, 11u, addr);
    absorb_full(&s, 12u, addr); absorb_full(&s, 13u, addr); absorb_full(&s, 14u, addr);
    absorb_full(&s, 15u, addr); absorb_full(&s, 16u, addr);
    keccak_permute(&s);
    addr += RATE_BYTES;
    len -= RATE_BYTES;
  }
  absorb_last(&s, 0u, addr, len); absorb_last(&s, 1u, addr, len); absorb_last(&s, 2u, addr, len);
  absorb_last(&s, 3u, addr, len); absorb_last(&s, 4u, addr, len); absorb_last(&s, 5u, addr, len);
  absorb_last(&s, 6u, addr, len); absorb_last(&s, 7u, addr, len); absorb_last(&s, 8u, addr, len);
  absorb_last(&s, 9u, addr, len); absorb_last(&s, 10u, addr, len); absorb_last(&s, 11u, addr, len);
  absorb_last(&s, 12u, addr, len); absorb_last(&s, 13u, addr, len); absorb_last(&s, 14u, addr, len);
  absorb_last(&s, 15u, addr, len); absorb_last(&s, 16u, addr, len);
  keccak_permute(&s);

  let out = 8u * m;
  squeeze(&s, 0u, out); squeeze(&s, 1u, out); squeeze(&s, 2u, out); squeeze(&s, 3u, out);
}
