/*
 * The transport-independent half of the bridge: validates a packed batch, frames it into block
 * records dealt round-robin over the card's sponge contexts, streams it through the transport,
 * and checks what comes back (tags, CRCs, count) before writing digests in message order.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evmaccel_fpga.h"
#include "transport.h"

struct eaf_handle {
  eaf_transport *t;
  uint32_t next_tag; /* running tag counter: the tag of message i of a batch is base + i */
};

_Static_assert(sizeof(eaf_block_record) == 8 + EAF_RATE_BYTES, "block record is packed");
_Static_assert(sizeof(eaf_digest_record) == 8 + EAF_DIGEST_BYTES, "digest record is packed");

int eaf_abi_version(void) { return EAF_ABI_VERSION; }

const char *eaf_status_name(int status) {
  switch (status) {
    case EAF_OK: return "EAF_OK";
    case EAF_E_ARG: return "EAF_E_ARG";
    case EAF_E_OPEN: return "EAF_E_OPEN";
    case EAF_E_TIMEOUT: return "EAF_E_TIMEOUT";
    case EAF_E_DROPPED: return "EAF_E_DROPPED";
    case EAF_E_CORRUPT: return "EAF_E_CORRUPT";
    case EAF_E_TAG: return "EAF_E_TAG";
    case EAF_E_IO: return "EAF_E_IO";
    case EAF_E_NOMEM: return "EAF_E_NOMEM";
    case EAF_E_CORE: return "EAF_E_CORE";
    default: return "EAF_E_UNKNOWN";
  }
}

static uint32_t crc_table[256];

static void crc_init(void) {
  for (uint32_t i = 0; i < 256; i++) {
    uint32_t c = i;
    for (int k = 0; k < 8; k++) c = (c & 1) ? (c >> 1) ^ 0xEDB88320u : c >> 1;
    crc_table[i] = c;
  }
}

uint32_t eaf_digest_check(uint32_t tag, const uint8_t digest[EAF_DIGEST_BYTES]) {
  if (crc_table[1] == 0) crc_init();
  uint8_t buf[4 + EAF_DIGEST_BYTES];
  for (int i = 0; i < 4; i++) buf[i] = (uint8_t)(tag >> (8 * i));
  memcpy(buf + 4, digest, EAF_DIGEST_BYTES);
  uint32_t c = 0xFFFFFFFFu;
  for (size_t i = 0; i < sizeof buf; i++) c = crc_table[(c ^ buf[i]) & 0xFF] ^ (c >> 8);
  return ~c;
}

eaf_handle *eaf_open(const char *target, char *err, size_t errlen) {
  if (target == NULL) {
    eaf_errf(err, errlen, "no target (expected \"sim[:knobs]\" or \"xdma:/dev/xdma0\")");
    return NULL;
  }
  eaf_transport *t = NULL;
  if (strcmp(target, "sim") == 0) t = eaf_sim_open("", err, errlen);
  else if (strncmp(target, "sim:", 4) == 0) t = eaf_sim_open(target + 4, err, errlen);
  else if (strncmp(target, "xdma:", 5) == 0) t = eaf_xdma_open(target + 5, err, errlen);
  else eaf_errf(err, errlen, "unknown target \"%s\" (expected \"sim[:knobs]\" or \"xdma:/dev/xdma0\")", target);
  if (t == NULL) return NULL;
  eaf_handle *h = calloc(1, sizeof *h);
  if (h == NULL) {
    t->close(t);
    eaf_errf(err, errlen, "out of memory");
    return NULL;
  }
  h->t = t;
  return h;
}

/* Records a message needs: its full blocks, then a last record of 0..135 bytes. */
static size_t records_for(uint32_t len) { return (size_t)len / EAF_RATE_BYTES + 1; }

/* Deals the messages round-robin over `contexts` slots; a slot takes the next message as soon as
 * its current one has sent its last block, so a context's consecutive blocks are `contexts`
 * records apart in the stream: enough for the previous permutation to finish when contexts is at
 * least the core's latency. */
static void frame(const uint8_t *data, const uint32_t *offsets, uint32_t count, uint32_t contexts,
                  uint32_t tag_base, eaf_block_record *recs) {
  typedef struct { uint32_t msg, at, live; } slot_t;
  slot_t slots[256];
  memset(slots, 0, sizeof slots);
  uint32_t next = 0;
  size_t r = 0;
  for (;;) {
    int any = 0;
    for (uint32_t c = 0; c < contexts; c++) {
      slot_t *s = &slots[c];
      if (!s->live && next < count) *s = (slot_t){next++, 0, 1};
      if (!s->live) continue;
      any = 1;
      uint32_t start = offsets[2 * s->msg], len = offsets[2 * s->msg + 1];
      uint32_t left = len - s->at;
      int last = left < EAF_RATE_BYTES;
      uint32_t n = last ? left : EAF_RATE_BYTES;
      eaf_block_record *rec = &recs[r++];
      memset(rec, 0, sizeof *rec);
      rec->tag = tag_base + s->msg;
      rec->ctx = (uint8_t)c;
      rec->flags = (uint8_t)((last ? EAF_FLAG_LAST : 0) | (s->at == 0 ? EAF_FLAG_FIRST : 0));
      rec->nbytes = (uint8_t)n;
      memcpy(rec->data, data + start + s->at, n);
      s->at += n;
      if (last) s->live = 0;
    }
    if (!any) break;
  }
}

int eaf_keccak256(eaf_handle *h, const uint8_t *data, uint64_t data_len, const uint32_t *offsets,
                  uint32_t count, uint8_t *digests, char *err, size_t errlen) {
  if (h == NULL || (count > 0 && (offsets == NULL || digests == NULL))) {
    eaf_errf(err, errlen, "null handle or buffer");
    return EAF_E_ARG;
  }
  size_t nrec = 0;
  for (uint32_t i = 0; i < count; i++) {
    uint64_t start = offsets[2 * i], len = offsets[2 * i + 1];
    if (start + len > data_len || (len > 0 && data == NULL)) {
      eaf_errf(err, errlen, "message %u: bytes [%llu, %llu) outside the %llu-byte data buffer", i,
               (unsigned long long)start, (unsigned long long)(start + len), (unsigned long long)data_len);
      return EAF_E_ARG;
    }
    nrec += records_for((uint32_t)len);
  }
  if (count == 0) return EAF_OK;

  eaf_block_record *recs = malloc(nrec * sizeof *recs);
  eaf_digest_record *res = malloc((size_t)count * sizeof *res);
  uint8_t *seen = calloc(count, 1);
  if (recs == NULL || res == NULL || seen == NULL) {
    free(recs), free(res), free(seen);
    eaf_errf(err, errlen, "out of memory for %zu records", nrec);
    return EAF_E_NOMEM;
  }
  const uint32_t base = h->next_tag;
  h->next_tag += count;
  uint32_t contexts = h->t->contexts < 256 ? h->t->contexts : 256;
  frame(data, offsets, count, contexts, base, recs);

  /* Collect until every message has its digest. Leftovers of an earlier failed batch (tags
   * before `base`) are discarded, and the stream resumed for the digests they displaced. */
  const eaf_block_record *next = recs;
  size_t left = nrec, done = 0;
  int rc = EAF_OK;
  while (rc == EAF_OK && done < count) {
    size_t want = count - done, sent = 0, got = 0;
    rc = h->t->stream(h->t, next, left, res, want, &sent, &got, err, errlen);
    next += sent;
    left -= sent;
    for (size_t k = 0; rc == EAF_OK && k < got; k++) {
      const eaf_digest_record *d = &res[k];
      const uint32_t crc = eaf_digest_check(d->tag, d->digest);
      if (d->check == (crc ^ EAF_CHECK_MISMATCH)) {
        rc = EAF_E_CORE;
        eaf_errf(err, errlen, "core check: the card's duplicated cores disagreed on the digest for tag %u", d->tag);
        break;
      }
      if (d->check != crc) {
        rc = EAF_E_CORRUPT;
        eaf_errf(err, errlen, "corrupt: the digest for tag %u fails its CRC", d->tag);
        break;
      }
      if ((int32_t)(d->tag - base) < 0) continue; /* stale: from a batch that already failed */
      uint32_t i = d->tag - base;
      if (i >= count || seen[i]) {
        rc = EAF_E_TAG;
        eaf_errf(err, errlen, "tag %u %s", d->tag, i >= count ? "outside this batch" : "returned twice");
        break;
      }
      seen[i] = 1;
      done++;
      memcpy(digests + (size_t)i * EAF_DIGEST_BYTES, d->digest, EAF_DIGEST_BYTES);
    }
    if (rc == EAF_OK && got < want) { /* the transport gave up waiting */
      if (left > 0) {
        rc = EAF_E_TIMEOUT;
        eaf_errf(err, errlen, "timeout: the card stopped accepting after %zu of %zu blocks (%zu of %u digests back)",
                 nrec - left, nrec, done, count);
      } else {
        rc = EAF_E_DROPPED;
        eaf_errf(err, errlen, "dropped: %zu of %u digests missing after every block was accepted", count - done, count);
      }
    }
  }
  if (rc != EAF_OK) h->t->recover(h->t);
  free(recs), free(res), free(seen);
  return rc;
}

int eaf_describe(eaf_handle *h, char *buf, size_t len) {
  if (h == NULL || buf == NULL || len < 3) return EAF_E_ARG;
  int n = snprintf(buf, len, "{");
  n += h->t->describe(h->t, buf + n, len - (size_t)n);
  n += snprintf(buf + n, len - (size_t)n, "}");
  return n;
}

uint64_t eaf_cycles(eaf_handle *h) { return h != NULL ? h->t->cycles(h->t) : 0; }

void eaf_close(eaf_handle *h) {
  if (h == NULL) return;
  h->t->close(h->t);
  free(h);
}
