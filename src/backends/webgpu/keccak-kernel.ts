import { BackendFaultError } from '../../runtime/errors.js';
import { DIGEST_BYTES, type PackedMessages } from '../../runtime/packing.js';
import { SlotPool, type GrowableBuffer } from './buffer-pool.js';
import type { KeccakTuning, LaneLayout } from './config.js';
import type { GpuContext } from './device.js';
import { PERMUTATION_FILES, type RoundStyle } from './keccak-codegen.js';
import { assembleShader } from './shader-source.js';

const RATE_BYTES = 136;
/** Lockstep width the length sort optimises for (an NVIDIA warp; AMD's 64 is a multiple). */
const SIMD_WIDTH = 32;
/** Block counts above this share the sort's last bucket. */
const MAX_SORT_BUCKET = 255;
/** Bytes of GPU timestamps (begin, end) appended to a readback when profiling. */
const TIMESTAMP_BYTES = 16;

/** The WGSL files of the Keccak-256 batch shader for a tuning, in assembly order. */
export function keccakShaderFiles(lanes: LaneLayout, rounds: RoundStyle): string[] {
  return [PERMUTATION_FILES[lanes][rounds], `keccak/lanes_${lanes}.wgsl`, 'keccak256.wgsl'];
}

/** Messages [from, to) of a batch with the byte range they occupy, dispatched as one. */
interface Chunk {
  from: number;
  to: number;
  dataStart: number;
  dataEnd: number;
  /** Dispatch through a length-sorted order (mixed lengths would stall lockstep groups). */
  sort: boolean;
}

/** One set of buffers for a chunk in flight. */
interface Slot {
  data: GrowableBuffer;
  offsets: GrowableBuffer;
  order: GrowableBuffer;
  digests: GrowableBuffer;
  readback: GrowableBuffer;
  params: GPUBuffer;
  timestamps?: { query: GPUQuerySet; resolve: GPUBuffer };
  bindGroup?: GPUBindGroup;
  bindKey: string;
  orderHost: Uint32Array;
  paramsHost: Uint32Array;
  /** The chunk's last 0-3 data bytes and a zero word, so the shader's unaligned reads stay in bounds. */
  tail: Uint8Array;
}

/** Counters of the kernel since it was built. */
export interface KeccakKernelStats {
  dispatches: number;
  /** Dispatches that went through the length-sorted order. */
  sortedDispatches: number;
  messages: number;
  /** GPU time between the dispatches' begin and end timestamps, ns; 0 unless profiling. */
  kernelNs: number;
}

/**
 * Keccak-256 of packed batches on one GPU context: the pipeline is compiled once, a pool of
 * `inFlight` buffer sets is reused by every batch, and a batch is cut into chunks that fit the
 * device's limits and overlap (upload of one while another computes and a third is read back).
 */
export class KeccakKernel {
  readonly stats: KeccakKernelStats = { dispatches: 0, sortedDispatches: 0, messages: 0, kernelNs: 0 };
  private readonly pool: SlotPool<Slot>;
  private readonly maxMessages: number;
  private readonly maxBytes: number;
  /** Largest storage buffer the device binds, bytes. */
  private readonly maxBinding: number;

  private constructor(
    private readonly ctx: GpuContext,
    private readonly pipeline: GPUComputePipeline,
    private readonly tuning: KeccakTuning,
  ) {
    const lim = ctx.limits;
    const binding = ctx.maxBinding;
    this.maxBinding = binding;
    const grid = lim.maxComputeWorkgroupsPerDimension;
    this.maxMessages = Math.max(
      1,
      Math.min(tuning.chunkMessages, Math.floor(binding / DIGEST_BYTES), grid * grid * tuning.workgroupSize),
    );
    this.maxBytes = Math.max(1, Math.min(tuning.chunkBytes, binding - 8));
    const slots: Slot[] = [];
    for (let i = 0; i < tuning.inFlight; i++) slots.push(this.makeSlot(i));
    this.pool = new SlotPool(slots);
  }

  /** Compiles the pipeline (throws BackendFaultError with the compiler's messages) and builds the pool. */
  static async create(ctx: GpuContext, tuning: KeccakTuning): Promise<KeccakKernel> {
    if (tuning.workgroupSize > ctx.limits.maxComputeInvocationsPerWorkgroup) {
      throw new BackendFaultError(
        'webgpu',
        `workgroup size ${tuning.workgroupSize} exceeds the device's ${ctx.limits.maxComputeInvocationsPerWorkgroup}`,
      );
    }
    const pipeline = await ctx.compile({
      kernel: 'keccak256',
      label: `keccak256-${tuning.lanes}-${tuning.rounds}`,
      code: assembleShader(keccakShaderFiles(tuning.lanes, tuning.rounds)),
      entryPoint: 'keccak256_main',
      constants: { WORKGROUP_SIZE: tuning.workgroupSize },
    });
    return new KeccakKernel(ctx, pipeline, { ...tuning, profile: tuning.profile && ctx.hasTimestamps });
  }

  /** count × 32 digest bytes. */
  async hash(batch: PackedMessages): Promise<Uint8Array> {
    const out = new Uint8Array(batch.count * DIGEST_BYTES);
    if (batch.count === 0) return out;
    const chunks = this.plan(batch);
    await Promise.all(chunks.map((c) => this.runChunk(batch, c, out)));
    return out;
  }

  /** Releases the pool's buffers (the device itself belongs to the context). */
  destroy(): void {
    for (const s of this.pool.all()) {
      for (const b of [s.data, s.offsets, s.order, s.digests, s.readback]) b.destroy();
      this.ctx.release(s.params);
      s.timestamps?.query.destroy();
      if (s.timestamps) this.ctx.release(s.timestamps.resolve);
    }
  }

  private makeSlot(i: number): Slot {
    const { ctx } = this;
    const U = GPUBufferUsage;
    const slot: Slot = {
      data: ctx.growableBuffer(`keccak data ${i}`, U.STORAGE | U.COPY_DST),
      offsets: ctx.growableBuffer(`keccak offsets ${i}`, U.STORAGE | U.COPY_DST),
      order: ctx.growableBuffer(`keccak order ${i}`, U.STORAGE | U.COPY_DST),
      digests: ctx.growableBuffer(`keccak digests ${i}`, U.STORAGE | U.COPY_SRC),
      readback: ctx.growableBuffer(`keccak readback ${i}`, U.MAP_READ | U.COPY_DST, ctx.limits.maxBufferSize),
      params: ctx.createBuffer({ label: `keccak params ${i}`, size: 16, usage: U.UNIFORM | U.COPY_DST }),
      bindKey: '',
      orderHost: new Uint32Array(0),
      paramsHost: new Uint32Array(4),
      tail: new Uint8Array(8),
    };
    if (this.tuning.profile && this.ctx.hasTimestamps) {
      slot.timestamps = {
        query: ctx.device.createQuerySet({ type: 'timestamp', count: 2 }),
        resolve: ctx.createBuffer({ size: TIMESTAMP_BYTES, usage: U.QUERY_RESOLVE | U.COPY_SRC }),
      };
    }
    return slot;
  }

  /** Cuts a batch into chunks within the device's limits and decides, per chunk, whether to sort. */
  private plan(batch: PackedMessages): Chunk[] {
    const off = batch.offsets;
    const chunks: Chunk[] = [];
    for (let i = 0; i < batch.count; ) {
      const from = i;
      let lo = off[2 * i]!;
      let hi = lo + off[2 * i + 1]!;
      if (hi - lo > this.maxBinding - 8) {
        throw new BackendFaultError('webgpu', `message ${i} (${hi - lo} bytes) exceeds the device's storage binding limit`);
      }
      // Lockstep cost estimate: each SIMD group runs as many permutations as its longest message.
      let blocks = 0;
      let lockstep = 0;
      let groupMax = 0;
      for (; i < batch.count && i - from < this.maxMessages; i++) {
        const s = off[2 * i]!;
        const e = s + off[2 * i + 1]!;
        const nlo = Math.min(lo, s);
        const nhi = Math.max(hi, e);
        if (i > from && nhi - nlo > this.maxBytes) break;
        lo = nlo;
        hi = nhi;
        const b = Math.floor(off[2 * i + 1]! / RATE_BYTES) + 1;
        blocks += b;
        groupMax = Math.max(groupMax, b);
        if ((i - from) % SIMD_WIDTH === SIMD_WIDTH - 1) {
          lockstep += groupMax;
          groupMax = 0;
        }
      }
      lockstep += groupMax;
      const ideal = Math.ceil(blocks / SIMD_WIDTH);
      chunks.push({ from, to: i, dataStart: lo, dataEnd: hi, sort: this.tuning.sortByLength && lockstep * 4 > ideal * 5 });
    }
    return chunks;
  }

  /** Fills `order` with chunk-local message indices sorted by block count (counting sort). */
  private sortOrder(batch: PackedMessages, c: Chunk, order: Uint32Array): void {
    const start = new Uint32Array(MAX_SORT_BUCKET + 2);
    const bucket = (j: number): number => Math.min(MAX_SORT_BUCKET, Math.floor(batch.offsets[2 * (c.from + j) + 1]! / RATE_BYTES));
    const n = c.to - c.from;
    for (let j = 0; j < n; j++) start[bucket(j) + 1]!++;
    for (let b = 1; b < start.length; b++) start[b]! += start[b - 1]!;
    for (let j = 0; j < n; j++) order[start[bucket(j)]!++] = j;
  }

  private async runChunk(batch: PackedMessages, c: Chunk, out: Uint8Array): Promise<void> {
    const slot = await this.pool.acquire();
    try {
      const n = c.to - c.from;
      const digestBytes = n * DIGEST_BYTES;
      const readBytes = digestBytes + (slot.timestamps ? TIMESTAMP_BYTES : 0);
      const device = this.ctx.device;
      await this.ctx.roundTrip('keccak256 dispatch', () => this.submit(batch, c, slot, device), readBytes, (mapped) => {
        out.set(mapped.subarray(0, digestBytes), c.from * DIGEST_BYTES);
        if (slot.timestamps) {
          const t = new BigUint64Array(mapped.slice(digestBytes, readBytes).buffer);
          this.stats.kernelNs += Number(t[1]! - t[0]!);
        }
      });
      this.stats.dispatches++;
      if (c.sort) this.stats.sortedDispatches++;
      this.stats.messages += n;
    } finally {
      this.pool.release(slot);
    }
  }

  /** Uploads a chunk into a slot's buffers, dispatches, and queues the copy to the readback buffer it returns. */
  private submit(batch: PackedMessages, c: Chunk, slot: Slot, device: GPUDevice): GPUBuffer {
    const n = c.to - c.from;
    const q = device.queue;
    const dataLen = c.dataEnd - c.dataStart;
    const aligned = dataLen & ~3;
    const data = slot.data.ensure(aligned + slot.tail.length);
    const offsets = slot.offsets.ensure(n * 8);
    const order = slot.order.ensure(c.sort ? n * 4 : 4);
    const digests = slot.digests.ensure(n * DIGEST_BYTES);
    const readback = slot.readback.ensure(n * DIGEST_BYTES + (slot.timestamps ? TIMESTAMP_BYTES : 0));

    if (aligned > 0) q.writeBuffer(data, 0, batch.data, c.dataStart, aligned);
    slot.tail.fill(0);
    slot.tail.set(batch.data.subarray(c.dataStart + aligned, c.dataEnd));
    q.writeBuffer(data, aligned, slot.tail);
    q.writeBuffer(offsets, 0, batch.offsets, 2 * c.from, 2 * n);
    if (c.sort) {
      if (slot.orderHost.length < n) slot.orderHost = new Uint32Array(2 ** Math.ceil(Math.log2(n)));
      this.sortOrder(batch, c, slot.orderHost);
      q.writeBuffer(order, 0, slot.orderHost, 0, n);
    }
    slot.paramsHost.set([n, c.dataStart, c.sort ? 1 : 0, 0]);
    q.writeBuffer(slot.params, 0, slot.paramsHost);

    const key = [slot.data, slot.offsets, slot.order, slot.digests].map((b) => b.generation).join(',');
    if (!slot.bindGroup || slot.bindKey !== key) {
      slot.bindGroup = device.createBindGroup({
        layout: this.pipeline.getBindGroupLayout(0),
        entries: [data, offsets, order, digests, slot.params].map((buffer, binding) => ({ binding, resource: { buffer } })),
      });
      slot.bindKey = key;
    }

    const groups = Math.ceil(n / this.tuning.workgroupSize);
    const x = Math.min(groups, this.ctx.limits.maxComputeWorkgroupsPerDimension);
    const enc = device.createCommandEncoder();
    const pass = enc.beginComputePass(
      slot.timestamps
        ? { timestampWrites: { querySet: slot.timestamps.query, beginningOfPassWriteIndex: 0, endOfPassWriteIndex: 1 } }
        : {},
    );
    pass.setPipeline(this.pipeline);
    pass.setBindGroup(0, slot.bindGroup);
    pass.dispatchWorkgroups(x, Math.ceil(groups / x));
    pass.end();
    enc.copyBufferToBuffer(digests, 0, readback, 0, n * DIGEST_BYTES);
    if (slot.timestamps) {
      enc.resolveQuerySet(slot.timestamps.query, 0, 2, slot.timestamps.resolve, 0);
      enc.copyBufferToBuffer(slot.timestamps.resolve, 0, readback, n * DIGEST_BYTES, TIMESTAMP_BYTES);
    }
    q.submit([enc.finish()]);
    return readback;
  }
}
