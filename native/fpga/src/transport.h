/* The transport interface below the shared framing: moves block records to the card and digest
 * records back. Implementations: sim (Verilator model) and xdma (character devices). */
#ifndef EAF_TRANSPORT_H
#define EAF_TRANSPORT_H

#include "evmaccel_fpga.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct eaf_transport eaf_transport;

struct eaf_transport {
  /** Sponge contexts the card has: the framing deals messages over this many. */
  uint32_t contexts;
  /**
   * Sends recs[0..n) and collects digest records into out[0..expected) until `expected` have
   * arrived or nothing moved within the transport's budget. Reports how many records the card
   * accepted (*sent) and digests arrived (*got). Returns EAF_OK, or EAF_E_IO with a message.
   */
  int (*stream)(eaf_transport *t, const eaf_block_record *recs, size_t n, eaf_digest_record *out,
                size_t expected, size_t *sent, size_t *got, char *err, size_t errlen);
  /** Brings the card back to a clean state after a fault (reset, drain). */
  void (*recover)(eaf_transport *t);
  /** JSON object members (no braces) describing the transport. */
  int (*describe)(eaf_transport *t, char *buf, size_t len);
  uint64_t (*cycles)(eaf_transport *t);
  void (*close)(eaf_transport *t);
};

eaf_transport *eaf_sim_open(const char *knobs, char *err, size_t errlen);
eaf_transport *eaf_xdma_open(const char *spec, char *err, size_t errlen);

/**
 * Walks "key=value,key=value" knobs: calls fn for each; stops at the first non-zero return.
 * Returns that value, or 0.
 */
int eaf_knobs_each(const char *knobs, int (*fn)(void *ctx, const char *key, const char *val), void *ctx);
/** Parses a decimal u64; returns 0 on success, -1 when val is not one. */
int eaf_parse_u64(const char *val, uint64_t *out);
/** snprintf into an error buffer, tolerating NULL. */
void eaf_errf(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#ifdef __cplusplus
}
#endif

#endif
