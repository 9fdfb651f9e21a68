/* Keccak-256 of one message, shared by the batch entry point and the address derivation. */
#ifndef EVMACCEL_KECCAK256_H
#define EVMACCEL_KECCAK256_H

#include <stddef.h>
#include <stdint.h>

/* Ethereum's Keccak-256 (original Keccak padding, not SHA3-256) of msg[0..len) into out[32]. */
void evmaccel_keccak256(const uint8_t *msg, size_t len, uint8_t out[32]);

#endif
