/// <reference types="@webgpu/types" />
import { BackendFaultError, InputError } from '../../../runtime/errors.js';
import {
  PUBKEY_BYTES,
  SIG_RECORD_BYTES,
  type PackedSignatures,
  type RecoveredKeys,
} from '../../../runtime/packing.js';
import { buildGTable } from './g-table.js';
import { assembleSecp256k1Shader, SECP256K1_RECOVER_FILE, type ShaderLoader } from './shader-files.js';

/** secp256k1 public-key recovery on one GPUDevice. Calls are serialized; buffers are reused. */
export interface RecoverKernel {
  /**
   * Recovers every record of the batch. Throws InputError for a recovery id other than 0 or 1
   * (before anything is uploaded) and BackendFaultError for any device-side failure.
   */
  recover(batch: PackedSignatures): Promise<RecoveredKeys>;
  /** Frees the kernel's buffers; the device itself belongs to the caller. */
  destroy(): void;
}

/** Tuning knobs; the defaults suit a discrete GPU. */
export interface RecoverKernelOptions {
  /** Most signatures per dispatch (further capped by the device's limits). Default 2^20. */
  maxItemsPerDispatch?: number;
}

const WORKGROUP_SIZE = 64;
/** Output words per item: 16 of key (x ‖ y) plus one valid flag, stored in two regions. */
const OUT_WORDS_PER_ITEM = PUBKEY_BYTES / 4 + 1;
const PARAMS_BYTES = 16;

/**
 * Compiles the recovery shader on `device`, uploads the fixed-base table for G and returns the
 * kernel. A shader that fails to compile or validate throws BackendFaultError('webgpu', …) with
 * the compiler's messages.
 */
export async function createRecoverKernel(
  device: GPUDevice,
  loadShader: ShaderLoader,
  opts: RecoverKernelOptions = {},
): Promise<RecoverKernel> {
  const code = assembleSecp256k1Shader(loadShader, loadShader(SECP256K1_RECOVER_FILE));
  const pipeline = await compilePipeline(device, code);
  const gTable = buildGTable();
  const gBuffer = device.createBuffer({
    label: 'secp256k1 G table',
    size: gTable.byteLength,
    usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST,
  });
  device.queue.writeBuffer(gBuffer, 0, gTable);
  return new WebGpuRecoverKernel(device, pipeline, gBuffer, maxItemsFor(device, opts));
}

async function compilePipeline(device: GPUDevice, code: string): Promise<GPUComputePipeline> {
  device.pushErrorScope('validation');
  const module = device.createShaderModule({ label: 'secp256k1 recover', code });
  const info = await module.getCompilationInfo();
  const errors = info.messages.filter((m) => m.type === 'error');
  let pipeline: GPUComputePipeline | undefined;
  let pipelineError: unknown;
  if (errors.length === 0) {
    try {
      pipeline = await device.createComputePipelineAsync({
        label: 'secp256k1 recover',
        layout: 'auto',
        compute: { module, entryPoint: 'recover_main' },
      });
    } catch (e) {
      pipelineError = e;
    }
  }
  const scopeError = await device.popErrorScope();
  if (errors.length > 0) {
    const text = errors.map((m) => `${m.lineNum}:${m.linePos} ${m.message}`).join('; ');
    throw new BackendFaultError('webgpu', `secp256k1 shader failed to compile: ${text}`);
  }
  if (pipelineError !== undefined || scopeError !== null || pipeline === undefined) {
    const why = scopeError?.message ?? String(pipelineError);
    throw new BackendFaultError('webgpu', `secp256k1 pipeline creation failed: ${why}`, { cause: pipelineError });
  }
  return pipeline;
}

function maxItemsFor(device: GPUDevice, opts: RecoverKernelOptions): number {
  const { maxStorageBufferBindingSize, maxComputeWorkgroupsPerDimension, maxBufferSize } = device.limits;
  const bindable = Math.min(maxStorageBufferBindingSize, maxBufferSize);
  const byRecords = Math.floor(bindable / SIG_RECORD_BYTES) & ~3;
  const byOutput = Math.floor(bindable / (OUT_WORDS_PER_ITEM * 4));
  const byDispatch = maxComputeWorkgroupsPerDimension * WORKGROUP_SIZE;
  return Math.max(1, Math.min(opts.maxItemsPerDispatch ?? 1 << 20, byRecords, byOutput, byDispatch));
}

/** Buffers sized for `capacity` items, replaced by larger ones when a chunk does not fit. */
interface ChunkBuffers {
  capacity: number;
  records: GPUBuffer;
  out: GPUBuffer;
  staging: GPUBuffer;
  bindGroup: GPUBindGroup;
}

class WebGpuRecoverKernel implements RecoverKernel {
  private buffers: ChunkBuffers | undefined;
  private readonly params: GPUBuffer;
  /** Calls share the buffers, so each waits for the previous one. */
  private queue: Promise<unknown> = Promise.resolve();
  private destroyed = false;

  constructor(
    private readonly device: GPUDevice,
    private readonly pipeline: GPUComputePipeline,
    private readonly gBuffer: GPUBuffer,
    private readonly maxItems: number,
  ) {
    this.params = device.createBuffer({
      label: 'secp256k1 params',
      size: PARAMS_BYTES,
      usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
    });
  }

  recover(batch: PackedSignatures): Promise<RecoveredKeys> {
    checkRecords(batch);
    const run = this.queue.then(() => this.recoverChecked(batch));
    this.queue = run.catch(() => undefined);
    return run;
  }

  destroy(): void {
    this.destroyed = true;
    this.releaseChunkBuffers();
    this.params.destroy();
    this.gBuffer.destroy();
  }

  private async recoverChecked(batch: PackedSignatures): Promise<RecoveredKeys> {
    if (this.destroyed) throw new BackendFaultError('webgpu', 'secp256k1 kernel used after destroy()');
    const keys = new Uint8Array(batch.count * PUBKEY_BYTES);
    const valid = new Uint8Array(batch.count);
    for (let from = 0; from < batch.count; from += this.maxItems) {
      const to = Math.min(batch.count, from + this.maxItems);
      try {
        await this.runChunk(batch.records, from, to, keys, valid);
      } catch (e) {
        if (e instanceof BackendFaultError) throw e;
        throw new BackendFaultError('webgpu', `secp256k1 recovery failed: ${errorText(e)}`, { cause: e });
      }
    }
    return { keys, valid };
  }

  private async runChunk(
    records: Uint8Array,
    from: number,
    to: number,
    keys: Uint8Array,
    valid: Uint8Array,
  ): Promise<void> {
    const count = to - from;
    const bufs = this.chunkBuffers(count);
    const { device } = this;
    device.pushErrorScope('validation');
    device.pushErrorScope('out-of-memory');
    writeRecords(device.queue, bufs.records, records, from * SIG_RECORD_BYTES, count * SIG_RECORD_BYTES);
    device.queue.writeBuffer(this.params, 0, new Uint32Array([count, 0, 0, 0]));
    const outBytes = count * OUT_WORDS_PER_ITEM * 4;
    const encoder = device.createCommandEncoder({ label: 'secp256k1 recover' });
    const pass = encoder.beginComputePass();
    pass.setPipeline(this.pipeline);
    pass.setBindGroup(0, bufs.bindGroup);
    pass.dispatchWorkgroups(Math.ceil(count / WORKGROUP_SIZE));
    pass.end();
    encoder.copyBufferToBuffer(bufs.out, 0, bufs.staging, 0, outBytes);
    device.queue.submit([encoder.finish()]);
    const oom = await device.popErrorScope();
    const invalid = await device.popErrorScope();
    const scoped = oom ?? invalid;
    if (scoped) throw new BackendFaultError('webgpu', `secp256k1 dispatch rejected: ${scoped.message}`);

    await bufs.staging.mapAsync(GPUMapMode.READ, 0, outBytes);
    try {
      const bytes = new Uint8Array(bufs.staging.getMappedRange(0, outBytes));
      keys.set(bytes.subarray(0, count * PUBKEY_BYTES), from * PUBKEY_BYTES);
      const flags = new Uint32Array(bytes.buffer, bytes.byteOffset + count * PUBKEY_BYTES, count);
      for (let i = 0; i < count; i++) {
        const f = flags[i]!;
        if (f > 1) throw new BackendFaultError('webgpu', `secp256k1 kernel wrote valid flag ${f} for item ${from + i}`);
        valid[from + i] = f;
      }
    } finally {
      bufs.staging.unmap();
    }
  }

  private chunkBuffers(count: number): ChunkBuffers {
    if (this.buffers && this.buffers.capacity >= count) return this.buffers;
    this.releaseChunkBuffers();
    // Grow in powers of two so a stream of similar batches settles on one allocation.
    const capacity = Math.min(this.maxItems, Math.max(256, 2 ** Math.ceil(Math.log2(count))));
    const { device } = this;
    const records = device.createBuffer({
      label: 'secp256k1 records',
      size: align4(capacity * SIG_RECORD_BYTES),
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST,
    });
    const outSize = capacity * OUT_WORDS_PER_ITEM * 4;
    const out = device.createBuffer({
      label: 'secp256k1 keys',
      size: outSize,
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC,
    });
    const staging = device.createBuffer({
      label: 'secp256k1 readback',
      size: outSize,
      usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
    });
    const bindGroup = device.createBindGroup({
      layout: this.pipeline.getBindGroupLayout(0),
      entries: [
        { binding: 0, resource: { buffer: records } },
        { binding: 1, resource: { buffer: this.gBuffer } },
        { binding: 2, resource: { buffer: out } },
        { binding: 3, resource: { buffer: this.params } },
      ],
    });
    this.buffers = { capacity, records, out, staging, bindGroup };
    return this.buffers;
  }

  private releaseChunkBuffers(): void {
    if (!this.buffers) return;
    this.buffers.records.destroy();
    this.buffers.out.destroy();
    this.buffers.staging.destroy();
    this.buffers = undefined;
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

/** Uploads bytes [start, start + len) of src; writeBuffer wants 4-byte multiples, so the tail is padded. */
function writeRecords(queue: GPUQueue, dst: GPUBuffer, src: Uint8Array, start: number, len: number): void {
  const whole = len & ~3;
  if (whole > 0) queue.writeBuffer(dst, 0, src.buffer, src.byteOffset + start, whole);
  if (whole < len) {
    const tail = new Uint8Array(4);
    tail.set(src.subarray(start + whole, start + len));
    queue.writeBuffer(dst, whole, tail);
  }
}

function align4(n: number): number {
  return (n + 3) & ~3;
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
