/// <reference types="@webgpu/types" />
import { BackendFaultError, InputError } from '../../../runtime/errors.js';
import {
  ADDRESS_BYTES,
  PUBKEY_BYTES,
  SIG_RECORD_BYTES,
  type PackedSignatures,
  type RecoveredKeys,
} from '../../../runtime/packing.js';
import { buildGTable } from './g-table.js';
import { assembleSecp256k1Shader, SECP256K1_RECOVER_FILES, type ShaderLoader } from './shader-files.js';

/** Addresses of a batch: count × 20 bytes, and `valid[i]` = 1 where recovery succeeded. */
export interface RecoveredAddresses {
  addresses: Uint8Array;
  valid: Uint8Array;
}

/** secp256k1 public-key recovery on one GPUDevice. Calls are serialized; buffers are reused. */
export interface RecoverKernel {
  /**
   * Recovers every record of the batch. Throws InputError for a recovery id other than 0 or 1
   * (before anything is uploaded) and BackendFaultError for any device-side failure.
   */
  recover(batch: PackedSignatures): Promise<RecoveredKeys>;
  /**
   * Recovers and hashes on the device in the same dispatch: keccak256(x ‖ y)[12..32] per record,
   * so keys never come back to the host. Errors as recover().
   */
  recoverAddresses(batch: PackedSignatures): Promise<RecoveredAddresses>;
  /** Frees the kernel's buffers; the device itself belongs to the caller. */
  destroy(): void;
}

/** Tuning knobs; the defaults suit a discrete GPU. */
export interface RecoverKernelOptions {
  /** Most signatures per dispatch (further capped by the device's limits). Default 2^20. */
  maxItemsPerDispatch?: number;
  /**
   * Maps a readback buffer; the backend passes its context's, which fails on device loss and on
   * a timeout instead of waiting forever. Default: a plain mapAsync.
   */
  mapRead?: (buffer: GPUBuffer, size: number) => Promise<void>;
}

const WORKGROUP_SIZE = 64;
/** The shader's output modes (params.mode) and the words each writes per item before the valid flags. */
const KEYS = { mode: 0, wordsPerItem: PUBKEY_BYTES / 4 } as const;
const ADDRESSES = { mode: 1, wordsPerItem: ADDRESS_BYTES / 4 } as const;
type OutputMode = typeof KEYS | typeof ADDRESSES;
/** The output buffer is sized for the larger mode, plus the valid flag. */
const OUT_WORDS_PER_ITEM = KEYS.wordsPerItem + 1;
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
  let code: string;
  try {
    code = assembleSecp256k1Shader(loadShader, ...SECP256K1_RECOVER_FILES.map((f) => `// ---- ${f}\n${loadShader(f)}`));
  } catch (e) {
    throw new BackendFaultError('webgpu', `secp256k1 shader sources unavailable: ${errorText(e)}`, { cause: e });
  }
  const bindGroupLayout = createBindGroupLayout(device);
  const pipeline = await compilePipeline(device, bindGroupLayout, code);
  const gTable = buildGTable();
  const gBuffer = device.createBuffer({
    label: 'secp256k1 G table',
    size: gTable.byteLength,
    usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST,
  });
  device.queue.writeBuffer(gBuffer, 0, gTable);
  const mapRead = opts.mapRead ?? ((buffer: GPUBuffer, size: number) => buffer.mapAsync(GPUMapMode.READ, 0, size));
  return new WebGpuRecoverKernel(device, bindGroupLayout, pipeline, gBuffer, maxItemsFor(device, opts), mapRead);
}

function createBindGroupLayout(device: GPUDevice): GPUBindGroupLayout {
  const visibility = GPUShaderStage.COMPUTE;
  return device.createBindGroupLayout({
    label: 'secp256k1',
    entries: [
      { binding: 0, visibility, buffer: { type: 'read-only-storage' } },
      { binding: 1, visibility, buffer: { type: 'read-only-storage' } },
      { binding: 2, visibility, buffer: { type: 'storage' } },
      { binding: 3, visibility, buffer: { type: 'uniform' } },
    ],
  });
}

async function compilePipeline(device: GPUDevice, bindGroupLayout: GPUBindGroupLayout, code: string): Promise<GPUComputePipeline> {
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
        layout: device.createPipelineLayout({ bindGroupLayouts: [bindGroupLayout] }),
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
    const why = scopeError?.message ?? errorText(pipelineError);
    throw new BackendFaultError('webgpu', `secp256k1 pipeline creation failed: ${why}`, { cause: pipelineError });
  }
  return pipeline;
}

function maxItemsFor(device: GPUDevice, opts: RecoverKernelOptions): number {
  const { maxStorageBufferBindingSize, maxComputeWorkgroupsPerDimension, maxBufferSize } = device.limits;
  const bindable = Math.min(maxStorageBufferBindingSize, maxBufferSize);
  const byRecords = Math.floor(bindable / SIG_RECORD_BYTES);
  const byOutput = Math.floor(bindable / (OUT_WORDS_PER_ITEM * 4));
  const byDispatch = maxComputeWorkgroupsPerDimension * WORKGROUP_SIZE;
  const items = Math.min(opts.maxItemsPerDispatch ?? 1 << 20, byRecords, byOutput, byDispatch);
  // A multiple of 4 keeps every chunk's records at a 4-byte offset (97 · 4k), as writeBuffer wants.
  return Math.max(4, items & ~3);
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
    private readonly bindGroupLayout: GPUBindGroupLayout,
    private readonly pipeline: GPUComputePipeline,
    private readonly gBuffer: GPUBuffer,
    private readonly maxItems: number,
    private readonly mapRead: (buffer: GPUBuffer, size: number) => Promise<void>,
  ) {
    this.params = device.createBuffer({
      label: 'secp256k1 params',
      size: PARAMS_BYTES,
      usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
    });
  }

  async recover(batch: PackedSignatures): Promise<RecoveredKeys> {
    const { data, valid } = await this.serialized(batch, KEYS);
    return { keys: data, valid };
  }

  async recoverAddresses(batch: PackedSignatures): Promise<RecoveredAddresses> {
    const { data, valid } = await this.serialized(batch, ADDRESSES);
    return { addresses: data, valid };
  }

  destroy(): void {
    this.destroyed = true;
    this.releaseChunkBuffers();
    this.params.destroy();
    this.gBuffer.destroy();
  }

  private serialized(batch: PackedSignatures, output: OutputMode): Promise<{ data: Uint8Array; valid: Uint8Array }> {
    checkRecords(batch);
    const run = this.queue.then(() => this.runBatch(batch, output));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async runBatch(batch: PackedSignatures, output: OutputMode): Promise<{ data: Uint8Array; valid: Uint8Array }> {
    if (this.destroyed) throw new BackendFaultError('webgpu', 'secp256k1 kernel used after destroy()');
    const data = new Uint8Array(batch.count * output.wordsPerItem * 4);
    const valid = new Uint8Array(batch.count);
    for (let from = 0; from < batch.count; from += this.maxItems) {
      const to = Math.min(batch.count, from + this.maxItems);
      try {
        await this.runChunk(batch.records, from, to, output, data, valid);
      } catch (e) {
        if (e instanceof BackendFaultError) throw e;
        throw new BackendFaultError('webgpu', `secp256k1 recovery failed: ${errorText(e)}`, { cause: e });
      }
    }
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
    const count = to - from;
    const bufs = this.chunkBuffers(count);
    const { device } = this;
    device.pushErrorScope('validation');
    device.pushErrorScope('out-of-memory');
    writeRecords(device.queue, bufs.records, records, from * SIG_RECORD_BYTES, count * SIG_RECORD_BYTES);
    device.queue.writeBuffer(this.params, 0, new Uint32Array([count, output.mode, 0, 0]));
    const itemBytes = output.wordsPerItem * 4;
    const outBytes = count * (itemBytes + 4);
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

    await this.mapRead(bufs.staging, outBytes);
    try {
      const bytes = new Uint8Array(bufs.staging.getMappedRange(0, outBytes));
      data.set(bytes.subarray(0, count * itemBytes), from * itemBytes);
      const flags = new Uint32Array(bytes.buffer, bytes.byteOffset + count * itemBytes, count);
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
      label: 'secp256k1 results',
      size: outSize,
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC,
    });
    const staging = device.createBuffer({
      label: 'secp256k1 readback',
      size: outSize,
      usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
    });
    const bindGroup = device.createBindGroup({
      layout: this.bindGroupLayout,
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
  if (whole > 0) queue.writeBuffer(dst, 0, src, start, whole);
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
