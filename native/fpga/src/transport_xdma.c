/*
 * The "xdma" transport: a board behind the Xilinx XDMA driver, reached through its character
 * devices PATH_h2c_0 (host to card, block records) and PATH_c2h_0 (card to host, digest
 * records) in AXI4-Stream mode. A writer thread streams the records while this thread reads
 * digests, because the card back-pressures its input until its output is read. Both sides wait
 * with poll() and give up after timeout-ms without progress. Writes go in chunks no larger than
 * PIPE_BUF so that, on a FIFO (the tests' fake card), a chunk is taken whole or not at all.
 * The real XDMA driver has no poll(); there the calls block and the driver's own timeout applies.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "transport.h"

typedef struct {
  eaf_transport base; /* first member: the framing sees an eaf_transport* */
  char path[200];
  int h2c, c2h;
  uint64_t timeout_ms;
  uint64_t clock_mhz;
  char core[16];
  char check[16];
} xdma_t;

typedef struct {
  xdma_t *x;
  const uint8_t *bytes;
  size_t len;
  size_t done; /* bytes the card accepted */
  int error;   /* errno of a failed write, 0 otherwise */
} writer_t;

static uint64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void *writer_main(void *arg) {
  writer_t *w = arg;
  const size_t chunk = (PIPE_BUF / sizeof(eaf_block_record)) * sizeof(eaf_block_record);
  uint64_t last_progress = now_ms();
  while (w->done < w->len) {
    struct pollfd p = {.fd = w->x->h2c, .events = POLLOUT};
    int pr = poll(&p, 1, 50);
    if (pr < 0 && errno != EINTR) { w->error = errno; break; }
    if (pr > 0) {
      size_t n = w->len - w->done < chunk ? w->len - w->done : chunk;
      ssize_t k = write(w->x->h2c, w->bytes + w->done, n);
      if (k > 0) {
        w->done += (size_t)k;
        last_progress = now_ms();
        continue;
      }
      if (k < 0 && errno != EAGAIN && errno != EINTR) { w->error = errno; break; }
    }
    if (now_ms() - last_progress > w->x->timeout_ms) break;
  }
  return NULL;
}

static int xdma_stream(eaf_transport *t, const eaf_block_record *recs, size_t n, eaf_digest_record *out,
                       size_t expected, size_t *sent, size_t *got, char *err, size_t errlen) {
  xdma_t *x = (xdma_t *)t;
  writer_t w = {.x = x, .bytes = (const uint8_t *)recs, .len = n * sizeof *recs};
  pthread_t th;
  if (pthread_create(&th, NULL, writer_main, &w) != 0) {
    eaf_errf(err, errlen, "cannot start the writer thread");
    return EAF_E_IO;
  }
  uint8_t *dst = (uint8_t *)out;
  const size_t want = expected * sizeof *out;
  size_t have = 0;
  int rc = EAF_OK;
  uint64_t last_progress = now_ms();
  while (have < want) {
    struct pollfd p = {.fd = x->c2h, .events = POLLIN};
    int pr = poll(&p, 1, 50);
    if (pr < 0 && errno != EINTR) {
      eaf_errf(err, errlen, "poll %s_c2h_0: %s", x->path, strerror(errno));
      rc = EAF_E_IO;
      break;
    }
    if (pr > 0) {
      ssize_t k = read(x->c2h, dst + have, want - have);
      if (k > 0) {
        have += (size_t)k;
        last_progress = now_ms();
        continue;
      }
      if (k < 0 && errno != EAGAIN && errno != EINTR) {
        eaf_errf(err, errlen, "read %s_c2h_0: %s", x->path, strerror(errno));
        rc = EAF_E_IO;
        break;
      }
      if (k == 0) usleep(1000); /* a FIFO whose writer closed: nothing more will come */
    }
    if (now_ms() - last_progress > x->timeout_ms) break;
  }
  pthread_join(th, NULL);
  if (rc == EAF_OK && w.error != 0) {
    eaf_errf(err, errlen, "write %s_h2c_0: %s", x->path, strerror(w.error));
    rc = EAF_E_IO;
  }
  *sent = w.done / sizeof *recs;
  *got = have / sizeof *out;
  return rc;
}

/* Discards whatever the card still sends for an abandoned batch. */
static void xdma_recover(eaf_transport *t) {
  xdma_t *x = (xdma_t *)t;
  uint8_t buf[4096];
  struct pollfd p = {.fd = x->c2h, .events = POLLIN};
  while (poll(&p, 1, 100) > 0 && read(x->c2h, buf, sizeof buf) > 0) {}
}

static int xdma_describe(eaf_transport *t, char *buf, size_t len) {
  xdma_t *x = (xdma_t *)t;
  return snprintf(buf, len,
                  "\"transport\":\"xdma\",\"device\":\"%s\",\"core\":\"%s\",\"check\":\"%s\",\"contexts\":%u,\"lanes\":1,"
                  "\"clock\":\"%llu MHz\",\"software\":false",
                  x->path, x->core, x->check, x->base.contexts, (unsigned long long)x->clock_mhz);
}

static uint64_t xdma_cycles(eaf_transport *t) { (void)t; return 0; }

static void xdma_close(eaf_transport *t) {
  xdma_t *x = (xdma_t *)t;
  if (x->h2c >= 0) close(x->h2c);
  if (x->c2h >= 0) close(x->c2h);
  free(x);
}

typedef struct {
  xdma_t *x;
  char bad[64];
} parse_t;

static int parse_knob(void *ctx, const char *key, const char *val) {
  parse_t *p = ctx;
  uint64_t v;
  if (strcmp(key, "timeout-ms") == 0 && eaf_parse_u64(val, &v) == 0 && v > 0) p->x->timeout_ms = v;
  else if (strcmp(key, "contexts") == 0 && eaf_parse_u64(val, &v) == 0 && v > 0 && v <= 256) p->x->base.contexts = (uint32_t)v;
  else if (strcmp(key, "clock-mhz") == 0 && eaf_parse_u64(val, &v) == 0) p->x->clock_mhz = v;
  else if (strcmp(key, "core") == 0 && val != NULL && (strcmp(val, "pipelined") == 0 || strcmp(val, "iterative") == 0))
    snprintf(p->x->core, sizeof p->x->core, "%s", val);
  else if (strcmp(key, "check") == 0 && val != NULL && (strcmp(val, "duplicate") == 0 || strcmp(val, "none") == 0))
    snprintf(p->x->check, sizeof p->x->check, "%s", val);
  else {
    snprintf(p->bad, sizeof p->bad, "%s%s%s", key, val ? "=" : "", val ? val : "");
    return EAF_E_ARG;
  }
  return 0;
}

eaf_transport *eaf_xdma_open(const char *spec, char *err, size_t errlen) {
  xdma_t *x = calloc(1, sizeof *x);
  if (x == NULL) return NULL;
  x->h2c = x->c2h = -1;
  x->timeout_ms = 2000;
  x->clock_mhz = 250;
  x->base.contexts = 32;
  snprintf(x->core, sizeof x->core, "pipelined");
  snprintf(x->check, sizeof x->check, "duplicate");
  const char *comma = strchr(spec, ',');
  size_t plen = comma ? (size_t)(comma - spec) : strlen(spec);
  parse_t p = {.x = x};
  if (plen == 0 || plen >= sizeof x->path - 8) {
    eaf_errf(err, errlen, "xdma target needs a device path, e.g. xdma:/dev/xdma0");
    free(x);
    return NULL;
  }
  memcpy(x->path, spec, plen);
  if (comma != NULL && eaf_knobs_each(comma + 1, parse_knob, &p) != 0) {
    eaf_errf(err, errlen, "bad xdma knob \"%s\" (knobs: timeout-ms=N, contexts=N, core=pipelined|iterative, clock-mhz=N, check=duplicate|none)", p.bad);
    free(x);
    return NULL;
  }
  char name[256];
  snprintf(name, sizeof name, "%s_h2c_0", x->path);
  x->h2c = open(name, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
  if (x->h2c < 0 && errno == ENXIO) x->h2c = open(name, O_WRONLY | O_CLOEXEC); /* FIFO with no reader yet */
  if (x->h2c >= 0) {
    snprintf(name, sizeof name, "%s_c2h_0", x->path);
    x->c2h = open(name, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  }
  if (x->h2c < 0 || x->c2h < 0) {
    eaf_errf(err, errlen, "cannot open %s: %s", name, strerror(errno));
    xdma_close(&x->base);
    return NULL;
  }
  if (fcntl(x->h2c, F_SETFL, fcntl(x->h2c, F_GETFL) | O_NONBLOCK) != 0) { /* best effort */ }
  x->base.stream = xdma_stream;
  x->base.recover = xdma_recover;
  x->base.describe = xdma_describe;
  x->base.cycles = xdma_cycles;
  x->base.close = xdma_close;
  return &x->base;
}
