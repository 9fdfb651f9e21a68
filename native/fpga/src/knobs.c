/* Target-string knobs ("key=value,key=value") and error formatting shared by the transports. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "transport.h"

int eaf_knobs_each(const char *knobs, int (*fn)(void *ctx, const char *key, const char *val), void *ctx) {
  if (knobs == NULL) return 0;
  char *copy = strdup(knobs);
  if (copy == NULL) return EAF_E_NOMEM;
  int rc = 0;
  char *save = NULL;
  for (char *tok = strtok_r(copy, ",", &save); tok != NULL && rc == 0; tok = strtok_r(NULL, ",", &save)) {
    char *eq = strchr(tok, '=');
    if (eq != NULL) *eq = '\0';
    rc = fn(ctx, tok, eq != NULL ? eq + 1 : NULL);
  }
  free(copy);
  return rc;
}

int eaf_parse_u64(const char *val, uint64_t *out) {
  if (val == NULL || *val < '0' || *val > '9') return -1;
  char *end = NULL;
  errno = 0;
  unsigned long long v = strtoull(val, &end, 10);
  if (errno != 0 || *end != '\0') return -1;
  *out = v;
  return 0;
}

void eaf_errf(char *err, size_t errlen, const char *fmt, ...) {
  if (err == NULL || errlen == 0) return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err, errlen, fmt, ap);
  va_end(ap);
}
