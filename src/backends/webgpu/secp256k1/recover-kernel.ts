/// <reference types="@webgpu/types" />
import { BackendFaultError, InputError } from '../../../runtime/errors.js';
import {
  ADDRESS_BYTES,
  PUBKEY_BYTES,
  SIG_RECORD_BYTES,
  type PackedSignatures,
  type RecoveredKeys,
} from '../../../runtime/packing.js';
import { SlotPool, type GrowableBuffer } from '../buffer-pool.js';
import type { RecoverTuning } from '../config.js';
import type { GpuContext } from '../device.js';
import { assembleShader } from '../shader-source.js';
import { buildGTable } from './g-table.js';
import { decodeOpCounts, instrumentOpCounts, OP_COUNT_WORDS, OP_COUNTS_BINDING, type OpCounts } from './op-count.js';
import { SECP256K1_RECOVER_FILES } from './shader-files.js';

/** Addresses of a batch: count × 20 bytes, and `valid[i]` = 1 where recovery succeeded. */
export interface RecoveredAddresses {
  addresses: Uint8Array;
  valid: Uint8Array;
}

/** The shader's passes (entry points, recover.wgsl), in dispatch order. */
const PASSES = ['recover_prepare', 'recover_multiply', 'recover_finish'] as const;
type Pass = (typeof PASSES)[number];
/** Words of per-item state the passes hand each other (recover.wgsl's STATE_WORDS). */
const STATE_WORDS = 32;
/** Bytes of workgroup memory per lane of the inverting passes (one field element, batch-inverse.wgsl). */
const BATCH_SLOT_BYTES = 80;
/** The shader's output modes (params.mode) and the words each writes per item before the valid flags. */
const KEYS = { mode: 0, wordsPerItem: PUBKEY_BYTES / 4 } as const;
const ADDRESSES = { mode: 1, wordsPerItem: ADDRESS_BYTES / 4 } as const;
type OutputMode = typeof KEYS | typeof ADDRESSES;
/** The output buffer is sized for the larger mode, plus the valid flag. */
const OUT_WORDS_PER_ITEM = KEYS.wordsPerItem + 1;
const PARAMS_BYTES = 16;

/**
 * The point multiplication's levers that can be turned down to measure what each brings on a
 * device (multiply.wgsl's pipeline constants); production uses the defaults.
 */
export interface RecoverLevers {
  /** u2·R through the GLV split (two 129-bit halves sharing 130 doublings); default true. */
  glv: boolean;
  /** Booth digit width of the u2·R windows, 2..5 (a table of 2^(window−1) multiples of R); default 4. */
  window: number;
}

export const DEFAULT_LEVERS: Readonly<RecoverLevers> = { glv: true, window: 4 };

/** Options of {@link RecoverKernel.create} beyond the tuning. */
export interface RecoverKernelOptions {
  /** Levers turned down (benchmarks); default {@link DEFAULT_LEVERS}. */
  levers?: Partial<RecoverLevers>;
  /**
   * The op-count build (op-count.ts): every field, scalar and group operation counted per phase,
   * read with {@link RecoverKernel.opCounts}. Slow (an atomic add per operation): benchmarks only.
   */
  countOps?: boolean;
}

/** One set of buffers for a chunk in flight. */
interface Slot {
  records: GrowableBuffer;
  state: GrowableBuffer;
  out: GrowableBuffer;
  readback: GrowableBuffer;
  params: GPUBuffer;
  paramsHost: Uint32Array;
  /** The chunk's last 1-3 record bytes, padded to a word (writeBuffer copies whole words). */
  tail: Uint8Array;
  bindGroups?: GPUBindGroup[];
  bindKey: string;
}

/**
 * secp256k1 public-key recovery on one GPU context, built like the Keccak kernel: the pipelines are
 * compiled once by the context, the fixed-base table for G is uploaded once, a pool of `inFlight`
 * buffer sets is reused by every batch, and a batch is cut into chunks within the device's limits
 * that overlap (upload of one while another computes). A chunk is three dispatches in one compute
 * pass (recover.wgsl): prepare (r^-1 per workgroup), multiply, finish (1/Z per workgroup, output).
 */
export class RecoverKernel {
  private readonly pool: SlotPool<Slot>;
  private readonly gTable: GPUBuffer;
  private readonly maxItems: number;
  private destroyed = false;

  private constructor(
    private readonly ctx: GpuContext,
    private readonly pipelines: Record<Pass, GPUComputePipeline>,
    private readonly tuning: RecoverTuning,
    /** The op-count build's counters, bound in every pass. */
    private readonly opCounter: GPUBuffer | undefined,
  ) {
    this.maxItems = maxItemsFor(ctx, tuning);
    const table = buildGTable();
    this.gTable = ctx.createBuffer({
      label: 'secp256k1 G table',
      size: table.byteLength,
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST,
    });
    ctx.device.queue.writeBuffer(this.gTable, 0, table);
    const slots: Slot[] = [];
    for (let i = 0; i < tuning.inFlight; i++) slots.push(this.makeSlot(i));
    this.pool = new SlotPool(slots);
  }

  /** Compiles the pipelines (throws BackendFaultError with the compiler's messages) and builds the pool. */
  static async create(ctx: GpuContext, tuning: RecoverTuning, opts: RecoverKernelOptions = {}): Promise<RecoverKernel> {
    checkTuning(ctx, tuning);
    const levers = { ...DEFAULT_LEVERS, ...opts.levers };
    if (!Number.isInteger(levers.window) || levers.window < 2 || levers.window > 5) {
      throw new RangeError(`ecrecover window must be an integer from 2 to 5, got ${levers.window}`);
    }
    const assembled = assembleShader(SECP256K1_RECOVER_FILES);
    const source = opts.countOps ? instrumentOpCounts(assembled) : assembled;
    const constants = {
      BATCH_SIZE: tuning.batchWorkgroupSize,
      MULTIPLY_SIZE: tuning.multiplyWorkgroupSize,
      GLV: levers.glv ? 1 : 0,
      R_WINDOW: levers.window,
    };
    const compiled = await Promise.all(
      PASSES.map((entryPoint) => ctx.compile({ kernel: 'ecrecover', label: `secp256k1 ${entryPoint}`, code: source, entryPoint, constants })),
    );
    const pipelines = Object.fromEntries(PASSES.map((p, i) => [p, compiled[i]!])) as Record<Pass, GPUComputePipeline>;
    const opCounter = opts.countOps
      ? ctx.createBuffer({ label: 'secp256k1 op counts', size: OP_COUNT_WORDS * 4, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST })
      : undefined;
    return new RecoverKernel(ctx, pipelines, tuning, opCounter);
  }

  /**
   * The op-count build's counts, summed over every lane of every batch since the kernel was made
   * or since the last call (which resets them). Throws unless created with `countOps`.
   */
  async opCounts(): Promise<OpCounts> {
    const counter = this.opCounter;
    if (!counter) throw new Error('secp256k1 kernel not built with countOps');
    const size = OP_COUNT_WORDS * 4;
    const readback = this.ctx.createBuffer({ label: 'secp256k1 op counts readback', size, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    try {
      return await this.ctx.roundTrip('secp256k1 op counts', () => {
        const enc = this.ctx.device.createCommandEncoder({ label: 'secp256k1 op counts' });
        enc.copyBufferToBuffer(counter, 0, readback, 0, size);
        enc.clearBuffer(counter);
        this.ctx.device.queue.submit([enc.finish()]);
        return readback;
      }, size, (bytes) => decodeOpCounts(new Uint32Array(bytes.slice().buffer)));
    } finally {
      this.ctx.release(readback);
    }
  }

  /**
   * Recovers every record of the batch. Throws InputError for a recovery id other than 0 or 1
   * (before anything is uploaded) and BackendFaultError for any device-side failure.
   */
  async recover(batch: PackedSignatures): Promise<RecoveredKeys> {
    const { data, valid } = await this.run(batch, KEYS);
    return { keys: data, valid };
  }

  /**
   * Recovers and hashes on the device in the same dispatch: keccak256(x ‖ y)[12..32] per record,
   * so keys never come back to the host. Errors as recover().
   */
  async recoverAddresses(batch: PackedSignatures): Promise<RecoveredAddresses> {
    const { data, valid } = await this.run(batch, ADDRESSES);
    return { addresses: data, valid };
  }

  /** Releases the kernel's buffers (the device itself belongs to the context). */
  destroy(): void {
    this.destroyed = true;
    for (const s of this.pool.all()) {
      for (const b of [s.records, s.state, s.out, s.readback]) b.destroy();
      this.ctx.release(s.params);
    }
    this.ctx.release(this.gTable);
    if (this.opCounter) this.ctx.release(this.opCounter);
  }

  private workgroupSize(p: Pass): number {
    return p === 'recover_multiply' ? this.tuning.multiplyWorkgroupSize : this.tuning.batchWorkgroupSize;
  }

  private makeSlot(i: number): Slot {
    const { ctx } = this;
    const U = GPUBufferUsage;
    return {
      records: ctx.growableBuffer(`secp256k1 records ${i}`, U.STORAGE | U.COPY_DST),
      state: ctx.growableBuffer(`secp256k1 state ${i}`, U.STORAGE),
      out: ctx.growableBuffer(`secp256k1 results ${i}`, U.STORAGE | U.COPY_SRC),
      readback: ctx.growableBuffer(`secp256k1 readback ${i}`, U.MAP_READ | U.COPY_DST, ctx.limits.maxBufferSize),
      params: ctx.createBuffer({ label: `secp256k1 params ${i}`, size: PARAMS_BYTES, usage: U.UNIFORM | U.COPY_DST }),
      paramsHost: new Uint32Array(PARAMS_BYTES / 4),
      tail: new Uint8Array(4),
      bindKey: '',
    };
  }

  private async run(batch: PackedSignatures, output: OutputMode): Promise<{ data: Uint8Array; valid: Uint8Array }> {
    checkRecords(batch);
    if (this.destroyed) throw new BackendFaultError('webgpu', 'secp256k1 kernel used after destroy()');
    const data = new Uint8Array(batch.count * output.wordsPerItem * 4);
    const valid = new Uint8Array(batch.count);
    const chunks: Promise<void>[] = [];
    for (let from = 0; from < batch.count; from += this.maxItems) {
      chunks.push(this.runChunk(batch.records, from, Math.min(batch.count, from + this.maxItems), output, data, valid));
    }
    await Promise.all(chunks);
    return { data, valid };
  }

  private async runChunk(
    records: Uint8Array,
    from: number,
    to: number,
    output: OutputMode,
    data: Uint8Array,
    valid: Uint8Array,
  ): Promise<void> {
    const slot = await this.pool.acquire();
    try {
      const count = to - from;
      const itemBytes = output.wordsPerItem * 4;
      const outBytes = count * (itemBytes + 4);
      await this.ctx.roundTrip('secp256k1 recover', () => this.submit(records, from, count, output, slot), outBytes, (bytes) => {
        data.set(bytes.subarray(0, count * itemBytes), from * itemBytes);
        const flags = new Uint32Array(bytes.buffer, bytes.byteOffset + count * itemBytes, count);
        for (let i = 0; i < count; i++) {
          const f = flags[i]!;
          if (f > 1) throw new BackendFaultError('webgpu', `secp256k1 kernel wrote valid flag ${f} for item ${from + i}`);
          valid[from + i] = f;
        }
      });
    } finally {
      this.pool.release(slot);
    }
  }

  /** Uploads a chunk into a slot's buffers, dispatches, and queues the copy to the readback buffer it returns. */
  private submit(records: Uint8Array, from: number, count: number, output: OutputMode, slot: Slot): GPUBuffer {
    const { device } = this.ctx;
    const q = device.queue;
    const len = count * SIG_RECORD_BYTES;
    const outBytes = count * (output.wordsPerItem + 1) * 4;
    const recordsBuf = slot.records.ensure((len + 3) & ~3);
    const state = slot.state.ensure(count * STATE_WORDS * 4);
    const out = slot.out.ensure(count * OUT_WORDS_PER_ITEM * 4);
    const readback = slot.readback.ensure(outBytes);

    // writeBuffer copies whole words: the last 1-3 bytes go through the slot's padded tail.
    const start = from * SIG_RECORD_BYTES;
    const whole = len & ~3;
    if (whole > 0) q.writeBuffer(recordsBuf, 0, records, start, whole);
    if (whole < len) {
      slot.tail.fill(0);
      slot.tail.set(records.subarray(start + whole, start + len));
      q.writeBuffer(recordsBuf, whole, slot.tail);
    }
    slot.paramsHost.set([count, output.mode, 0, 0]);
    q.writeBuffer(slot.params, 0, slot.paramsHost);

    const key = `${slot.records.generation},${slot.state.generation},${slot.out.generation}`;
    if (!slot.bindGroups || slot.bindKey !== key) {
      // By binding number (recover.wgsl); each pass's 'auto' layout holds only the ones it uses.
      const buffers = [recordsBuf, this.gTable, out, slot.params, state];
      const used: Record<Pass, number[]> = {
        recover_prepare: [0, 3, 4],
        recover_multiply: [0, 1, 3, 4],
        recover_finish: [2, 3, 4],
      };
      if (this.opCounter) {
        buffers[OP_COUNTS_BINDING] = this.opCounter;
        for (const p of PASSES) used[p].push(OP_COUNTS_BINDING);
      }
      slot.bindGroups = PASSES.map((p) =>
        device.createBindGroup({
          layout: this.pipelines[p].getBindGroupLayout(0),
          entries: used[p].map((binding) => ({ binding, resource: { buffer: buffers[binding]! } })),
        }),
      );
      slot.bindKey = key;
    }

    const enc = device.createCommandEncoder({ label: 'secp256k1 recover' });
    const pass = enc.beginComputePass();
    PASSES.forEach((p, i) => {
      pass.setPipeline(this.pipelines[p]);
      pass.setBindGroup(0, slot.bindGroups![i]!);
      pass.dispatchWorkgroups(Math.ceil(count / this.workgroupSize(p)));
    });
    pass.end();
    enc.copyBufferToBuffer(out, 0, readback, 0, outBytes);
    q.submit([enc.finish()]);
    return readback;
  }
}

/** Items per chunk: the tuning, capped by the device's binding and dispatch limits. */
function maxItemsFor(ctx: GpuContext, tuning: RecoverTuning): number {
  const bindable = ctx.maxBinding;
  const byRecords = Math.floor(bindable / SIG_RECORD_BYTES);
  const byOutput = Math.floor(bindable / (OUT_WORDS_PER_ITEM * 4));
  const byState = Math.floor(bindable / (STATE_WORDS * 4));
  const smallestGroup = Math.min(tuning.batchWorkgroupSize, tuning.multiplyWorkgroupSize);
  const byDispatch = ctx.limits.maxComputeWorkgroupsPerDimension * smallestGroup;
  const items = Math.min(tuning.chunkItems, byRecords, byOutput, byState, byDispatch);
  // A multiple of 4 keeps every chunk's records at a 4-byte offset (97 · 4k), as writeBuffer wants.
  return Math.max(4, items & ~3);
}

/** Workgroup sizes the shader and the device accept; RangeError naming the knob otherwise. */
function checkTuning(ctx: GpuContext, tuning: RecoverTuning): void {
  const { batchWorkgroupSize: batch, multiplyWorkgroupSize: multiply } = tuning;
  const { maxComputeInvocationsPerWorkgroup: maxLanes, maxComputeWorkgroupSizeX: maxX, maxComputeWorkgroupStorageSize: maxShared } = ctx.limits;
  const maxBatch = Math.min(maxLanes, maxX, Math.floor(maxShared / BATCH_SLOT_BYTES));
  if (!Number.isInteger(batch) || batch < 4 || (batch & (batch - 1)) !== 0 || batch > maxBatch) {
    throw new RangeError(`ecrecover batchWorkgroupSize must be a power of two from 4 to ${maxBatch} on this device, got ${batch}`);
  }
  if (!Number.isInteger(multiply) || multiply < 1 || multiply > Math.min(maxLanes, maxX)) {
    throw new RangeError(`ecrecover multiplyWorkgroupSize must be from 1 to ${Math.min(maxLanes, maxX)} on this device, got ${multiply}`);
  }
}

/** Recovery ids must be 0 or 1 (Ethereum never uses 2/3); anything else is the caller's error. */
function checkRecords(batch: PackedSignatures): void {
  if (batch.records.length < batch.count * SIG_RECORD_BYTES) {
    throw new InputError(-1, `records hold ${batch.records.length} bytes, ${batch.count} signatures need ${batch.count * SIG_RECORD_BYTES}`);
  }
  for (let i = 0; i < batch.count; i++) {
    const id = batch.records[i * SIG_RECORD_BYTES + 96]!;
    if (id > 1) throw new InputError(i, `recovery must be 0 or 1, got ${id}`);
  }
}
