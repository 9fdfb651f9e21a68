// Hooks for counting operations per recovery: no-ops here, which drivers drop. The op-count build
// (src/backends/webgpu/secp256k1/op-count.ts) replaces the two functions with ones that count.

// What count_op counts.
const OP_FE_MUL: u32 = 0u;
const OP_FE_SQR: u32 = 1u;
// fe_add, fe_sub, fe_neg, fe_mul_small: each one carry pass.
const OP_FE_LINEAR: u32 = 2u;
// Scalar products: Montgomery (mod n) and the GLV split's plain ones.
const OP_SC_MUL: u32 = 3u;
const OP_PT_DOUBLE: u32 = 4u;
const OP_PT_ADD: u32 = 5u;
const OP_KINDS: u32 = 6u;

// The part of the recovery the following operations belong to (op_phase).
const PHASE_PREPARE: u32 = 0u;
const PHASE_SQRT: u32 = 1u;
const PHASE_SPLIT: u32 = 2u;
const PHASE_TABLE: u32 = 3u;
const PHASE_R: u32 = 4u;
const PHASE_G: u32 = 5u;
const PHASE_FINISH: u32 = 6u;
const PHASES: u32 = 7u;

fn count_op(kind: u32) {}
fn op_phase(phase: u32) {}
