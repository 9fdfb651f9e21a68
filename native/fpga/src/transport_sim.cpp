/*
 * The "sim" transport: the Verilator model of hdl/keccak256.v (pipelined or iterative core),
 * clocked here, built with its integrity check (CHECK=1: duplicated cores) and fault-injection
 * inputs (INJECT=1). Block records drive the s_* stream, digests are taken off the m_* stream.
 * Most fault knobs act at this boundary, where a real board's link would fail: the core stops
 * accepting (stall), a digest loses a bit on its way (corrupt) or never arrives (drop); `flip`
 * acts inside the RTL, after the main core and before the comparison (a core fault).
 */
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>

#include "Vk256_iter.h"
#include "Vk256_pipe.h"
#include "transport.h"
#include "verilated.h"

namespace {

constexpr uint64_t NONE = ~0ull;

struct Knobs {
  bool pipelined = true;
  uint64_t timeout_cycles = 20000;
  uint64_t stall_after = NONE;
  uint64_t corrupt = NONE;
  uint64_t drop = NONE;
  uint64_t flip = NONE;     // message tag whose first permutation output the RTL flips a bit of
  bool miscompute = false;  // every digest wrong, check word made to match: a fault both cores share
  std::string bad;
};

int parse_knob(void *ctx, const char *key, const char *val) {
  Knobs &k = *static_cast<Knobs *>(ctx);
  std::string kv = std::string(key) + (val ? std::string("=") + val : "");
  if (std::strcmp(key, "core") == 0 && val && std::strcmp(val, "pipelined") == 0) k.pipelined = true;
  else if (std::strcmp(key, "core") == 0 && val && std::strcmp(val, "iterative") == 0) k.pipelined = false;
  else if (std::strcmp(key, "timeout-cycles") == 0 && eaf_parse_u64(val, &k.timeout_cycles) == 0 && k.timeout_cycles > 0) {}
  else if (std::strcmp(key, "stall-after") == 0 && eaf_parse_u64(val, &k.stall_after) == 0) {}
  else if (std::strcmp(key, "corrupt") == 0 && eaf_parse_u64(val, &k.corrupt) == 0) {}
  else if (std::strcmp(key, "drop") == 0 && eaf_parse_u64(val, &k.drop) == 0) {}
  else if (std::strcmp(key, "flip") == 0 && eaf_parse_u64(val, &k.flip) == 0 && k.flip <= 0xFFFFFFFFull) {}
  else if (std::strcmp(key, "miscompute") == 0 && val == nullptr) k.miscompute = true;
  else {
    k.bad = kv;
    return EAF_E_ARG;
  }
  return 0;
}

/** What the transport needs from a model, whichever core it was built with. */
struct Model {
  virtual ~Model() = default;
  virtual void reset() = 0;
  /** Aims the RTL's fault injection at the message tagged `tag` (its first permutation output, bit `bit`). */
  virtual void inject(uint32_t tag, uint8_t bit) = 0;
  /** One clock: drives the beat (or none), returns the handshakes seen before the edge. */
  virtual void cycle(const eaf_block_record *beat, bool &accepted, bool &digest, eaf_digest_record &out) = 0;
};

template <class V>
struct ModelOf final : Model {
  std::unique_ptr<VerilatedContext> ctx{new VerilatedContext};
  std::unique_ptr<V> top{new V{ctx.get()}};

  ModelOf() { reset(); }
  ~ModelOf() override { top->final(); }

  void inject(uint32_t tag, uint8_t bit) override {
    top->inj_valid = 1;
    top->inj_tag = tag;
    top->inj_bit = bit;
  }

  void reset() override {
    top->s_tvalid = 0;
    top->m_tready = 0;
    top->rst = 1;
    for (int i = 0; i < 4; i++) edge();
    top->rst = 0;
  }

  void edge() {
    top->clk = 0;
    top->eval();
    top->clk = 1;
    top->eval();
  }

  void cycle(const eaf_block_record *beat, bool &accepted, bool &digest, eaf_digest_record &out) override {
    top->clk = 0;
    top->s_tvalid = beat != nullptr;
    if (beat != nullptr) {
      for (int w = 0; w < 34; w++) {
        uint32_t v = 0;
        for (int b = 0; b < 4; b++) v |= uint32_t(beat->data[4 * w + b]) << (8 * b);
        top->s_tdata[w] = v;
      }
      for (int w = 0; w < 5; w++) {
        int lo = 32 * w, n = int(beat->nbytes) - lo;
        top->s_tkeep[w] = n <= 0 ? 0u : n >= 32 ? 0xFFFFFFFFu : (1u << n) - 1u;
      }
      top->s_tlast = (beat->flags & EAF_FLAG_LAST) != 0;
      top->s_tfirst = (beat->flags & EAF_FLAG_FIRST) != 0;
      top->s_tid = beat->ctx;
      top->s_tuser = beat->tag;
    }
    // The bridge always takes digests: back-pressure towards the host is the tests' business.
    top->m_tready = 1;
    top->eval();
    accepted = top->s_tvalid && top->s_tready;
    digest = top->m_tvalid;
    if (digest) {
      out.tag = top->m_tuser;
      out.check = top->m_tcheck;
      for (int w = 0; w < 8; w++)
        for (int b = 0; b < 4; b++) out.digest[4 * w + b] = uint8_t(top->m_tdata[w] >> (8 * b));
    }
    top->clk = 1;
    top->eval();
  }
};

struct Sim {
  eaf_transport base;  // first member: the C side sees an eaf_transport*
  Knobs knobs;
  std::unique_ptr<Model> model;
  uint64_t cycles = 0;
  uint64_t messages_in = 0;  // messages whose last block the core accepted, since open
  uint64_t digests_out = 0;  // digests taken off the core, since open
  bool stall_fired = false;
};

Sim *self(eaf_transport *t) { return reinterpret_cast<Sim *>(t); }

int sim_stream(eaf_transport *t, const eaf_block_record *recs, size_t n, eaf_digest_record *out, size_t expected,
               size_t *sent, size_t *got, char *, size_t) {
  Sim &s = *self(t);
  size_t i = 0, g = 0;
  uint64_t idle = 0;
  while (g < expected && idle < s.knobs.timeout_cycles) {
    // stall-after=N: from the N-th message on, the core never takes another block
    bool stalled = s.knobs.stall_after != NONE && s.messages_in >= s.knobs.stall_after && !s.stall_fired;
    const eaf_block_record *beat = (i < n && !stalled) ? &recs[i] : nullptr;
    bool accepted = false, digest = false;
    eaf_digest_record d;
    s.model->cycle(beat, accepted, digest, d);
    s.cycles++;
    idle = (accepted || digest) ? 0 : idle + 1;
    if (accepted) {
      if (recs[i].flags & EAF_FLAG_LAST) s.messages_in++;
      i++;
    }
    if (digest) {
      uint64_t k = s.digests_out++;
      if (k == s.knobs.corrupt) d.digest[k % EAF_DIGEST_BYTES] ^= uint8_t(1u << (k % 8));
      if (s.knobs.miscompute) {
        d.digest[0] ^= 1;
        d.check = eaf_digest_check(d.tag, d.digest);
      }
      if (k != s.knobs.drop) out[g++] = d;
    }
  }
  if (s.knobs.stall_after != NONE && s.messages_in >= s.knobs.stall_after && i < n) s.stall_fired = true;
  *sent = i;
  *got = g;
  return EAF_OK;
}

void sim_recover(eaf_transport *t) { self(t)->model->reset(); }

int sim_describe(eaf_transport *t, char *buf, size_t len) {
  Sim &s = *self(t);
  return std::snprintf(buf, len,
                       "\"transport\":\"sim\",\"model\":\"Verilator %s, hdl/keccak256.v\",\"core\":\"%s\",\"check\":\"duplicate\","
                       "\"contexts\":%u,\"lanes\":1,\"clock\":\"simulated, cycle-accurate\",\"software\":true",
                       Verilated::productVersion(), s.knobs.pipelined ? "pipelined" : "iterative", s.base.contexts);
}

uint64_t sim_cycles(eaf_transport *t) { return self(t)->cycles; }

void sim_close(eaf_transport *t) { delete self(t); }

}  // namespace

extern "C" eaf_transport *eaf_sim_open(const char *knobs, char *err, size_t errlen) {
  std::unique_ptr<Sim> s{new Sim};
  if (eaf_knobs_each(knobs, parse_knob, &s->knobs) != 0) {
    eaf_errf(err, errlen, "bad sim knob \"%s\" (knobs: core=pipelined|iterative, timeout-cycles=N, stall-after=N, corrupt=K, drop=K, flip=K, miscompute)",
             s->knobs.bad.c_str());
    return nullptr;
  }
  if (s->knobs.pipelined) s->model.reset(new ModelOf<Vk256_pipe>);
  else s->model.reset(new ModelOf<Vk256_iter>);
  if (s->knobs.flip != NONE) s->model->inject(uint32_t(s->knobs.flip), uint8_t(s->knobs.flip % 256));
  // The Makefile passes the CTX_W each model was built with.
  s->base.contexts = s->knobs.pipelined ? (1u << EAF_CTX_W_PIPE) : (1u << EAF_CTX_W_ITER);
  s->base.stream = sim_stream;
  s->base.recover = sim_recover;
  s->base.describe = sim_describe;
  s->base.cycles = sim_cycles;
  s->base.close = sim_close;
  return &s.release()->base;
}
