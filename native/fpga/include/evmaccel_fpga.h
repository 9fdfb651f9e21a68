/*
 * evmaccel_fpga.h — the C ABI of the evm-accel FPGA bridge, and the one source of truth for its
 * framing. The same calls drive a real board (transport "xdma:") or the Verilator model of the
 * very same RTL (transport "sim"); only the transport below the framing differs.
 *
 * Batch in: the packed layout of src/runtime/packing.ts (PackedMessages): one data buffer plus an
 * offsets table of 2 × count u32 (start, length) per message. Digests out: count × 32 bytes, in
 * message order.
 *
 * On the wire every message becomes one record per rate block (eaf_block_record): its full
 * 136-byte blocks, then a last record of 0..135 bytes (empty when the length is a non-zero
 * multiple of 136); the card adds the padding. Records of up to `contexts` messages are dealt
 * round-robin, each message bound to one sponge context (ctx), so blocks of different messages
 * interleave and the pipelined permutation stays full even for multi-block messages. Each digest
 * comes back as an eaf_digest_record carrying the message's tag and a check word: the CRC-32
 * (zlib polynomial) of tag (4 bytes LE) ‖ digest, computed by the card as the digest leaves the
 * core, inverted (XOR EAF_CHECK_MISMATCH) when the card's integrity check failed on any
 * permutation of the message: the card runs every permutation on two cores in lockstep and
 * compares them (hdl/keccak_f1600_checked.v). Tags are a
 * running u32 counter per handle: a digest tagged before the current batch is a leftover of an
 * earlier, failed batch and is discarded, never taken for one of this batch. Every message's
 * first record is flagged, and starts from the zero state, so leftover blocks of an abandoned
 * message cannot leak into a new one.
 *
 * Fault detection (each returns an error status; the caller re-runs the batch elsewhere):
 *   - the card stops accepting or answering: no progress within the budget  -> EAF_E_TIMEOUT
 *   - all blocks accepted but digests missing after the drain budget         -> EAF_E_DROPPED
 *   - a digest whose check word matches neither form (damaged on the link)   -> EAF_E_CORRUPT
 *   - a digest with a tag outside the batch, or a tag seen twice             -> EAF_E_TAG
 *   - a digest flagged by the card: its two cores disagreed on the message   -> EAF_E_CORE
 * What is not caught here: a block damaged on its way to the card (both cores hash the damaged
 * block alike; the host-to-card direction carries no check), and a fault both cores share (a
 * design bug, a corrupted bitstream region both use, a stuck input both read). Against those the
 * runtime verifies device results on the CPU reference (src/runtime/). A check word damaged on
 * the link into exactly the inverted CRC is reported as EAF_E_CORE instead of EAF_E_CORRUPT:
 * still an error, only misnamed.
 * After any fault the transport is reset (model reset, or the card's output drained), so the
 * next batch starts clean.
 *
 * Targets (eaf_open):
 *   "sim[:knob[,knob...]]"  Verilator model; knobs: core=pipelined|iterative,
 *                           timeout-cycles=N (idle cycles before a stall is declared, default 20000),
 *                           stall-after=N (the core stops accepting after N messages),
 *                           corrupt=K (flip a bit of the K-th digest on the link), drop=K (lose the
 *                           K-th digest); K and N count from 0 over the handle's life, each fault
 *                           fires once; flip=K (flip a bit of the first permutation output of the
 *                           K-th message inside the card, after the main core and before the
 *                           comparison: a transient core fault, which the duplicate core catches);
 *                           miscompute (every digest wrong but with a matching check word: a fault
 *                           both cores share, which only the runtime's verification can see).
 *   "xdma:PATH[,knob...]"   XDMA character devices PATH_h2c_0 / PATH_c2h_0 (e.g. /dev/xdma0);
 *                           knobs: timeout-ms=N (default 2000), contexts=N (default 32),
 *                           core=..., clock-mhz=N, check=duplicate|none (what the bitstream has;
 *                           for describe only).
 * A handle serves one call at a time.
 */
#ifndef EVMACCEL_FPGA_H
#define EVMACCEL_FPGA_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define EAF_ABI_VERSION 2
/** Keccak-256 rate: bytes absorbed per permutation. */
#define EAF_RATE_BYTES 136
#define EAF_DIGEST_BYTES 32
/** Size of the error-message buffers callers pass. */
#define EAF_ERR_BYTES 256
/** Record flag: last block of its message (AXI4-Stream tlast). */
#define EAF_FLAG_LAST 0x01u
/** Record flag: first block of its message, absorbed into the zero state (tfirst). */
#define EAF_FLAG_FIRST 0x02u
/** XORed into a digest's CRC by the card when its two cores disagreed on the message. */
#define EAF_CHECK_MISMATCH 0xFFFFFFFFu

typedef enum eaf_status {
  EAF_OK = 0,
  EAF_E_ARG = -1,     /* bad argument, malformed offsets or target string */
  EAF_E_OPEN = -2,    /* transport could not be opened */
  EAF_E_TIMEOUT = -3, /* the card stopped accepting blocks within the budget */
  EAF_E_DROPPED = -4, /* every block accepted, digests missing after the drain budget */
  EAF_E_CORRUPT = -5, /* a digest failed its CRC */
  EAF_E_TAG = -6,     /* a digest with a tag outside the batch or seen twice */
  EAF_E_IO = -7,      /* read/write error on the transport */
  EAF_E_NOMEM = -8,
  EAF_E_CORE = -9     /* the card's duplicated cores disagreed on a digest */
} eaf_status;

/** Host → card, one per rate block; 144 bytes, little-endian, no padding. */
typedef struct eaf_block_record {
  uint32_t tag;     /* message tag, carried to the digest (AXI4-Stream tuser) */
  uint8_t ctx;      /* sponge context (tid), < contexts */
  uint8_t flags;    /* EAF_FLAG_FIRST on the message's first record, EAF_FLAG_LAST on its last */
  uint8_t nbytes;   /* valid bytes in data: 136 on non-last records, 0..135 on the last (tkeep) */
  uint8_t reserved; /* 0 */
  uint8_t data[EAF_RATE_BYTES];
} eaf_block_record;

/** Card → host, one per message; 40 bytes. */
typedef struct eaf_digest_record {
  uint32_t tag;
  uint32_t check; /* CRC-32 (zlib) of tag (LE) ‖ digest, XOR EAF_CHECK_MISMATCH if the cores disagreed */
  uint8_t digest[EAF_DIGEST_BYTES];
} eaf_digest_record;

typedef struct eaf_handle eaf_handle;

/** EAF_ABI_VERSION of the library, for the binding to check. */
int eaf_abi_version(void);

/** Opens a target; NULL on failure, with the reason in err (errlen bytes, NUL-terminated). */
eaf_handle *eaf_open(const char *target, char *err, size_t errlen);

/**
 * Keccak-256 of `count` packed messages into `digests` (count × 32 bytes). Returns EAF_OK or a
 * negative eaf_status with a message in err. Streams the whole batch; never waits per message.
 */
int eaf_keccak256(eaf_handle *h, const uint8_t *data, uint64_t data_len, const uint32_t *offsets,
                  uint32_t count, uint8_t *digests, char *err, size_t errlen);

/** JSON description: transport, core, check, contexts, lanes, clock, software flag. Returns its length. */
int eaf_describe(eaf_handle *h, char *buf, size_t len);

/** Simulated clock cycles since open (0 for hardware transports). */
uint64_t eaf_cycles(eaf_handle *h);

/** Name of a status code, e.g. "EAF_E_TIMEOUT". */
const char *eaf_status_name(int status);

/** CRC-32 (zlib) of tag (LE) ‖ digest: the check the card attaches to every digest. */
uint32_t eaf_digest_check(uint32_t tag, const uint8_t digest[EAF_DIGEST_BYTES]);

void eaf_close(eaf_handle *h);

#ifdef __cplusplus
}
#endif

#endif
