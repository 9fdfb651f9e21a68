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
/** Room a chunk's staging needs beyond its message bytes: padding, zero word, one offset pair and order entry. */
const MESSAGE_SLACK = 32;
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
  /** Host-writable copy source of the chunk's data, offsets and order, mapped while it is filled. */
  staging: GrowableBuffer;
  paramsHost: Uint32Array;
}

/** Where a chunk's parts lie in its staging buffer (bytes; every part starts on a word). */
interface StagingLayout {
  /** The messages' bytes, then zeros to a whole word and one zero word, so that the shader's unaligned reads stay in bounds. */
  dataBytes: number;
  offsetsAt: number;
  orderAt: number;
  total: number;
}

/** Counters of the kernel since it was built. */
export interface KeccakKernelStats {
  dispatches: number;
  /** Dispatches that went through the length-sorted order. */
  sortedDispatches: number;
  messages: number;
  /** GPU time between the dispatches' begin and end timestamps, ns; 0 unless profiling. */
  kernelNs: number;
  /** Bytes sent to the device (messages, offsets, order) and read back (digests). */
  uploadBytes: number;
  readbackBytes: number;
  /**
   * Host time per stage of a chunk, summed over chunks, ms (the stages of successive chunks
   * overlap, so these add up to more than the batches' wall time): waiting for a staging buffer
   * to map, copying the chunk into it (and sorting), from submission until the digests are
   * mapped (transfers and kernel), and copying the digests out.
   */
  stageMs: { stagingWait: number; copyIn: number; device: number; copyOut: number };
}

/**
 * Keccak-256 of packed batches on one GPU context: the pipeline is compiled once, a pool of
 * `inFlight` buffer sets is reused by every batch, and a batch is cut into chunks that fit the
 * device's limits and overlap (upload of one while another computes and a third is read back).
 */
export class KeccakKernel {
  readonly stats: KeccakKernelStats = {
    dispatches: 0,
    sortedDispatches: 0,
    messages: 0,
    kernelNs: 0,
    uploadBytes: 0,
    readbackBytes: 0,
    stageMs: { stagingWait: 0, copyIn: 0, device: 0, copyOut: 0 },
  };
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
    this.maxBytes = Math.max(1, Math.min(tuning.chunkBytes, binding - MESSAGE_SLACK));
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

  /**
   * count × 32 digest bytes, digest i at 32·i, in one buffer. The batch goes to the device as it
   * is: each chunk's bytes and offsets are copied once, into a mapped staging buffer.
   */
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
      for (const b of [s.data, s.offsets, s.order, s.digests, s.readback, s.staging]) b.destroy();
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
      staging: ctx.growableBuffer(`keccak staging ${i}`, U.MAP_WRITE | U.COPY_SRC, ctx.limits.maxBufferSize),
      bindKey: '',
      paramsHost: new Uint32Array(4),
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
      if (hi - lo > this.maxBinding - MESSAGE_SLACK) {
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
      const layout = stagingLayout(c);
      const stage = this.stats.stageMs;
      const t0 = performance.now();
      const staging = slot.staging.ensure(layout.total);
      await this.ctx.map(staging, GPUMapMode.WRITE, layout.total);
      const t1 = performance.now();
      try {
        this.fill(new Uint8Array(staging.getMappedRange(0, layout.total)), batch, c, layout);
        staging.unmap();
      } catch (e) {
        throw await this.ctx.fault('keccak256 staging', e);
      }
      const t2 = performance.now();
      let t3 = t2;
      await this.ctx.roundTrip('keccak256 dispatch', () => this.submit(c, slot, layout), readBytes, (mapped) => {
        t3 = performance.now();
        out.set(mapped.subarray(0, digestBytes), c.from * DIGEST_BYTES);
        if (slot.timestamps) {
          const t = new BigUint64Array(mapped.slice(digestBytes, readBytes).buffer);
          this.stats.kernelNs += Number(t[1]! - t[0]!);
        }
      });
      const t4 = performance.now();
      stage.stagingWait += t1 - t0;
      stage.copyIn += t2 - t1;
      stage.device += t3 - t2;
      stage.copyOut += t4 - t3;
      this.stats.uploadBytes += layout.total;
      this.stats.readbackBytes += digestBytes;
      this.stats.dispatches++;
      if (c.sort) this.stats.sortedDispatches++;
      this.stats.messages += n;
    } finally {
      this.pool.release(slot);
    }
  }

  /** Copies a chunk's message bytes, offsets and (when sorted) order into its mapped staging buffer. */
  private fill(dst: Uint8Array, batch: PackedMessages, c: Chunk, layout: StagingLayout): void {
    const dataLen = c.dataEnd - c.dataStart;
    dst.set(batch.data.subarray(c.dataStart, c.dataEnd));
    // The shader masks what lies past each message, but a reused buffer must not upload a previous chunk's bytes.
    dst.fill(0, dataLen, layout.dataBytes);
    const n = c.to - c.from;
    const words = new Uint32Array(dst.buffer, dst.byteOffset, layout.total / 4);
    words.set(batch.offsets.subarray(2 * c.from, 2 * c.to), layout.offsetsAt / 4);
    if (c.sort) this.sortOrder(batch, c, words.subarray(layout.orderAt / 4, layout.orderAt / 4 + n));
  }

  /** Copies the staged chunk into the slot's storage buffers, dispatches, and queues the copy to the readback buffer it returns. */
  private submit(c: Chunk, slot: Slot, layout: StagingLayout): GPUBuffer {
    const { device } = this.ctx;
    const n = c.to - c.from;
    const q = device.queue;
    const staging = slot.staging.ensure(layout.total);
    const data = slot.data.ensure(layout.dataBytes);
    const offsets = slot.offsets.ensure(n * 8);
    const order = slot.order.ensure(c.sort ? n * 4 : 4);
    const digests = slot.digests.ensure(n * DIGEST_BYTES);
    const readback = slot.readback.ensure(n * DIGEST_BYTES + (slot.timestamps ? TIMESTAMP_BYTES : 0));
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
    enc.copyBufferToBuffer(staging, 0, data, 0, layout.dataBytes);
    enc.copyBufferToBuffer(staging, layout.offsetsAt, offsets, 0, n * 8);
    if (c.sort) enc.copyBufferToBuffer(staging, layout.orderAt, order, 0, n * 4);
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

/** A chunk's staging layout: data (padded to a word, plus a zero word), offsets, order. */
function stagingLayout(c: Chunk): StagingLayout {
  const n = c.to - c.from;
  const dataBytes = ((c.dataEnd - c.dataStart + 3) & ~3) + 4;
  const offsetsAt = dataBytes;
  const orderAt = offsetsAt + n * 8;
  return { dataBytes, offsetsAt, orderAt, total: orderAt + (c.sort ? n * 4 : 0) };
}
