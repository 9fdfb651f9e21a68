// Ethereum addresses of recovered keys, keccak256(x ‖ y)[12..32], computed in the invocation that
// recovered the key so keys never travel back to the host. Uses keccak/keccak_f1600.wgsl
// (lane i = s[2i] low, s[2i+1] high 32 bits), concatenated into the same module.

// The 20 address bytes as 5 words in memory order, from the key's 16 words (key_words layout).
fn key_address(words: array<u32, 16>) -> array<u32, 5> {
  // One 136-byte block: the 64 key bytes, then Keccak's padding 0x01 at byte 64 and 0x80 at
  // byte 135 (the top byte of lane 16).
  var s: array<u32, 50>;
  for (var w = 0u; w < 16u; w++) {
    s[w] = words[w];
  }
  s[16] = 0x01u;
  s[33] = 0x80000000u;
  keccak_f1600(&s);
  // Digest bytes 12..31 are words 3..7.
  return array<u32, 5>(s[3], s[4], s[5], s[6], s[7]);
}
