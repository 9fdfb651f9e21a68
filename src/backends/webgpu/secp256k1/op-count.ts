/**
 * The op-count build of the recovery kernel: the hooks of shaders/secp256k1/op-count.wgsl, no-ops
 * in production, replaced by ones that add each field, scalar and group operation to a counter per
 * recovery phase. A benchmark instrument (every operation is an atomic add), not a production mode:
 * it measures what each lever removes exactly, where timings on a software adapter cannot.
 */

/** What is counted (op-count.wgsl's OP_*, in order). */
export const OP_KINDS = ['fieldMul', 'fieldSqr', 'fieldLinear', 'scalarMul', 'pointDouble', 'pointAdd'] as const;
/** Where (op-count.wgsl's PHASE_*, in order). */
export const OP_PHASES = ['prepare', 'sqrt', 'split', 'table', 'multiplyR', 'multiplyG', 'finish'] as const;

export type OpKind = (typeof OP_KINDS)[number];
export type OpPhase = (typeof OP_PHASES)[number];
/** Operations per phase, summed over a batch's lanes. */
export type OpCounts = Record<OpPhase, Record<OpKind, number>>;

/** Words of the counter buffer the op-count build binds at @binding(OP_COUNTS_BINDING). */
export const OP_COUNT_WORDS = OP_KINDS.length * OP_PHASES.length;
export const OP_COUNTS_BINDING = 5;

const HOOKS = ['fn count_op(kind: u32) {}', 'fn op_phase(phase: u32) {}'];
const COUNTING = /* wgsl */ `
@group(0) @binding(${OP_COUNTS_BINDING}) var<storage, read_write> op_counts: array<atomic<u32>, ${OP_COUNT_WORDS}>;
var<private> op_phase_now: u32;
fn count_op(kind: u32) { atomicAdd(&op_counts[op_phase_now * OP_KINDS + kind], 1u); }
fn op_phase(phase: u32) { op_phase_now = phase; }
`;

/** The assembled recovery shader with counting hooks. Throws if the no-op hooks are not found. */
export function instrumentOpCounts(wgsl: string): string {
  let out = wgsl;
  for (const hook of HOOKS) {
    if (!out.includes(hook)) throw new Error(`op-count build: hook \`${hook}\` not in the shader`);
    out = out.replace(hook, '');
  }
  return out + COUNTING;
}

/** The counter buffer's words as counts per phase and kind. */
export function decodeOpCounts(words: Uint32Array): OpCounts {
  if (words.length < OP_COUNT_WORDS) throw new RangeError(`${words.length} op-count words, expected ${OP_COUNT_WORDS}`);
  const counts = {} as OpCounts;
  OP_PHASES.forEach((phase, p) => {
    counts[phase] = {} as Record<OpKind, number>;
    OP_KINDS.forEach((kind, k) => {
      counts[phase][kind] = words[p * OP_KINDS.length + k]!;
    });
  });
  return counts;
}
