// Lane layout "interleaved": inside the permutation each 64-bit lane is kept as (even bits, odd
// bits), so every rotation is two 32-bit rotations; messages are converted on absorb and digests
// on squeeze. Provides the three hooks shaders/keccak256.wgsl calls, over keccak_f1600_interleaved
// (shaders/keccak/keccak_f1600_interleaved*.wgsl); lanes_plain.wgsl is the other layout.

// Moves the even bits of x to its low half and the odd bits to its high half (delta swaps).
fn keccak_unshuffle32(v: u32) -> u32 {
  var x = v;
  var t = (x ^ (x >> 1u)) & 0x22222222u; x = x ^ t ^ (t << 1u);
  t = (x ^ (x >> 2u)) & 0x0c0c0c0cu; x = x ^ t ^ (t << 2u);
  t = (x ^ (x >> 4u)) & 0x00f000f0u; x = x ^ t ^ (t << 4u);
  t = (x ^ (x >> 8u)) & 0x0000ff00u; x = x ^ t ^ (t << 8u);
  return x;
}

// Inverse of keccak_unshuffle32.
fn keccak_shuffle32(v: u32) -> u32 {
  var x = v;
  var t = (x ^ (x >> 8u)) & 0x0000ff00u; x = x ^ t ^ (t << 8u);
  t = (x ^ (x >> 4u)) & 0x00f000f0u; x = x ^ t ^ (t << 4u);
  t = (x ^ (x >> 2u)) & 0x0c0c0c0cu; x = x ^ t ^ (t << 2u);
  t = (x ^ (x >> 1u)) & 0x22222222u; x = x ^ t ^ (t << 1u);
  return x;
}

// (low 32 bits, high 32 bits) of a lane -> (even bits, odd bits).
fn keccak_lane_in(lo: u32, hi: u32) -> vec2<u32> {
  let l = keccak_unshuffle32(lo);
  let h = keccak_unshuffle32(hi);
  return vec2<u32>((l & 0xffffu) | (h << 16u), (l >> 16u) | (h & 0xffff0000u));
}

// (even bits, odd bits) -> (low 32 bits, high 32 bits).
fn keccak_lane_out(v: vec2<u32>) -> vec2<u32> {
  let l = (v.x & 0xffffu) | (v.y << 16u);
  let h = (v.x >> 16u) | (v.y & 0xffff0000u);
  return vec2<u32>(keccak_shuffle32(l), keccak_shuffle32(h));
}

fn keccak_permute(s: ptr<function, array<u32, 50>>) {
  keccak_f1600_interleaved(s);
}
