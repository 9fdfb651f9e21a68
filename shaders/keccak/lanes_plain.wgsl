// Lane layout "plain": inside the permutation each 64-bit lane is (low 32 bits, high 32 bits),
// the layout of the keccak_f1600 interface itself, so absorbing and squeezing convert nothing.
// Provides the three hooks shaders/keccak256.wgsl calls; lanes_interleaved.wgsl is the other layout.

fn keccak_lane_in(lo: u32, hi: u32) -> vec2<u32> {
  return vec2<u32>(lo, hi);
}

fn keccak_lane_out(v: vec2<u32>) -> vec2<u32> {
  return v;
}

fn keccak_permute(s: ptr<function, array<u32, 50>>) {
  keccak_f1600(s);
}
