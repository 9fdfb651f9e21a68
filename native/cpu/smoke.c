/*
 * A smoke test of a built library, run where the JS suites cannot (the arm64 build under
 * qemu-aarch64, `make check-arm64`): Keccak-256 of "evm-accel" and the recovery of a signature by
 * private key 1, whose public key is the generator G. Exit 0 when both match.
 */
#include <stdio.h>
#include <string.h>

#include "evm_accel_cpu.h"

static const char *hex(const unsigned char *b, size_t n) {
  static char out[2 * 64 + 1];
  for (size_t i = 0; i < n; i++) sprintf(out + 2 * i, "%02x", b[i]);
  return out;
}

static void unhex(const char *s, unsigned char *out) {
  for (size_t i = 0; s[2 * i]; i++) sscanf(s + 2 * i, "%2hhx", &out[i]);
}

int main(void) {
  const char *msg = "evm-accel";
  const char *want_digest = "d5b48145b9bcc79c82e40011ffcae8b7e3d5d91344b837abdd32a3bc321731af";
  const char *want_key = "79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"
                         "483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8";
  uint32_t offsets[2] = {0, (uint32_t)strlen(msg)};
  unsigned char digest[32], record[97], key[64], valid = 0;
  int rc = evmaccel_keccak256_batch((const uint8_t *)msg, strlen(msg), offsets, 1, digest, 1);
  if (rc != EVMACCEL_OK || strcmp(hex(digest, 32), want_digest) != 0) {
    fprintf(stderr, "keccak256: status %s, digest %s\n", evmaccel_cpu_status_name(rc), hex(digest, 32));
    return 1;
  }
  memcpy(record, digest, 32);
  unhex("f4870bc9aed57ce7c75164faa4907e4325b889f7327eb49569e38550b5b703b9", record + 32);
  unhex("2ba0ed3907203977b3a9ff49bb445e5e36e3216b8cdeaa16d615bb513cf35352", record + 64);
  record[96] = 0;
  rc = evmaccel_ecrecover_batch(record, 1, key, &valid, 1);
  if (rc != EVMACCEL_OK || !valid || strcmp(hex(key, 64), want_key) != 0) {
    fprintf(stderr, "ecrecover: status %s, valid %d, key %s\n", evmaccel_cpu_status_name(rc), valid, hex(key, 64));
    return 1;
  }
  printf("smoke test passed: keccak %s, libsecp256k1 %s, Keccak-256 and recovery correct\n", evmaccel_cpu_keccak_impl(),
         evmaccel_cpu_secp256k1_version());
  return 0;
}
