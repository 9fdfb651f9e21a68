import { BackendFaultError, BackendUnavailableError } from '../../runtime/errors.js';
import { describeAdapter, type AdapterDescription } from './adapter-kind.js';
import { GrowableBuffer } from './buffer-pool.js';
import { dawnInstance } from './dawn.js';
import { adapterChoiceFromEnv, oneLine, prepareVulkan, type AdapterChoice, type VulkanSetup } from './vulkan-environment.js';

/**
 * Hooks that inject faults into a real device, for tests of the backend's fault handling; never
 * set in production. The context applies them, so every kernel is exposed to them alike.
 */
export interface WebGpuFaultHooks {
  /** Rewrites a kernel's assembled WGSL before compilation (e.g. to break it). */
  transformSource?: (kernel: string, wgsl: string) => string;
  /** Called after each submission with the device (e.g. to destroy it mid-batch). */
  afterSubmit?: (device: GPUDevice) => void;
  /** Rewrites the device request (e.g. to ask for more than the adapter has). */
  deviceDescriptor?: (descriptor: GPUDeviceDescriptor) => GPUDeviceDescriptor;
}

/** How to acquire a device. */
export interface GpuContextOptions {
  /** Which Vulkan drivers may serve (see AdapterChoice); default EVM_ACCEL_WEBGPU_ADAPTER, else `gpu`. */
  adapter?: AdapterChoice;
  /** Dawn toggles for `create()`, e.g. `['backend=vulkan']`; default none. */
  dawnFlags?: string[];
  /** Adapter preference passed to requestAdapter. */
  powerPreference?: GPUPowerPreference;
  /** Ask for 'timestamp-query' when the adapter has it (benchmarks); default false. */
  timestamps?: boolean;
  /** A readback not completed after this long is a fault (ms); default 60 000. */
  mapTimeoutMs?: number;
  faults?: WebGpuFaultHooks;
}

/** What a kernel compiles: its WGSL, entry point and override constants. */
export interface PipelineSource {
  /** The kernel's name, as fault hooks see it (`keccak256`, `ecrecover`). */
  kernel: string;
  /** Pipeline label (in Dawn's messages). */
  label: string;
  code: string;
  entryPoint: string;
  constants?: Record<string, number>;
}

const DEFAULT_MAP_TIMEOUT_MS = 60_000;
/** How long a fault waits for Dawn to report the device's loss that may have caused it. */
const LOSS_GRACE_MS = 50;

/** For messages: the drivers Dawn looked at. */
function onDrivers(v: VulkanSetup): string {
  if (v.drivers.length === 0) return '';
  return ` (Dawn found none on the Vulkan driver${v.drivers.length > 1 ? 's' : ''} ${v.drivers.join(', ')})`;
}

/** Why a device went away, as Dawn said it. */
export interface LossInfo {
  reason: string;
  message: string;
}

/**
 * One acquired WebGPU device and everything its kernels need to use it safely: adapter
 * description, limits, loss and uncaptured-error tracking, shader compilation that reports
 * compiler messages, error scopes and readbacks with a timeout. Every fault surfaces as a
 * {@link BackendFaultError} so that the runtime re-runs the batch on another backend; a context
 * that faulted is discarded (see {@link GpuContext.healthy}) and a new one acquired.
 *
 * Both kernels (Keccak-256, secp256k1 recovery) receive the context, compile their pipelines
 * with {@link GpuContext.compile}, allocate through {@link GpuContext.createBuffer} and
 * {@link GpuContext.growableBuffer} (all destroyed with the context at the latest) and run each
 * chunk through {@link GpuContext.roundTrip}; the fault hooks act there, for every kernel alike.
 */
export class GpuContext {
  /** Set once the device is lost (destroyed, driver reset, ...). */
  lostInfo: LossInfo | undefined;
  /** Errors no error scope caught since acquisition. */
  uncapturedErrors = 0;
  lastUncapturedError: string | undefined;
  /** Resolves when the device is lost, for whatever reason. */
  readonly lost: Promise<LossInfo>;
  /** Readbacks in flight, failed at once when the device is lost. */
  private readonly waiters = new Set<(e: Error) => void>();
  /** Whether 'timestamp-query' was enabled on the device. */
  readonly hasTimestamps: boolean;
  /** Every buffer made on this device and not yet destroyed: destroy() frees what kernels did not. */
  private readonly buffers = new Set<GPUBuffer>();
  private readonly mapTimeoutMs: number;
  private readonly faults: WebGpuFaultHooks;

  /** Set by destroy(). */
  private closed = false;

  private constructor(
    readonly adapter: GPUAdapter,
    readonly device: GPUDevice,
    readonly info: AdapterDescription,
    /** The Vulkan drivers the process set up. */
    readonly vulkan: VulkanSetup,
    opts: GpuContextOptions,
  ) {
    this.mapTimeoutMs = opts.mapTimeoutMs ?? DEFAULT_MAP_TIMEOUT_MS;
    this.faults = opts.faults ?? {};
    this.hasTimestamps = device.features.has('timestamp-query');
    this.lost = device.lost.then((l) => {
      this.lostInfo = { reason: l.reason, message: l.message };
      const fault = new BackendFaultError('webgpu', `device lost (${l.reason}): ${l.message}`);
      for (const reject of this.waiters) reject(fault);
      return this.lostInfo;
    });
    device.addEventListener('uncapturederror', (ev) => {
      this.uncapturedErrors++;
      this.lastUncapturedError = (ev as GPUUncapturedErrorEvent).error.message;
    });
  }

  /**
   * Sets up Vulkan (see prepareVulkan), requests an adapter and a device with the adapter's
   * largest buffer limits. Throws BackendUnavailableError naming what is missing: the `webgpu`
   * package, the Vulkan loader, a Vulkan driver, an adapter, or the device the adapter refused.
   */
  static async acquire(opts: GpuContextOptions = {}): Promise<GpuContext> {
    const vulkan = prepareVulkan(opts.adapter ?? adapterChoiceFromEnv());
    const gpu = await dawnInstance(opts.dawnFlags ?? []);
    let adapter: GPUAdapter | null;
    try {
      adapter = await gpu.requestAdapter(opts.powerPreference ? { powerPreference: opts.powerPreference } : undefined);
    } catch (e) {
      throw new BackendUnavailableError('webgpu', `no WebGPU adapter${onDrivers(vulkan)}: ${oneLine((e as Error).message)}`);
    }
    if (!adapter) throw new BackendUnavailableError('webgpu', `no WebGPU adapter${onDrivers(vulkan)}`);
    const i = adapter.info as GPUAdapterInfo & { isFallbackAdapter?: boolean };
    const info = describeAdapter({
      vendor: i.vendor,
      architecture: i.architecture,
      device: i.device,
      description: i.description,
      isFallbackAdapter: i.isFallbackAdapter,
    });
    const a = adapter.limits;
    const requiredFeatures: GPUFeatureName[] =
      opts.timestamps && adapter.features.has('timestamp-query') ? ['timestamp-query'] : [];
    let descriptor: GPUDeviceDescriptor = {
      requiredFeatures,
      requiredLimits: {
        maxStorageBufferBindingSize: a.maxStorageBufferBindingSize,
        maxBufferSize: a.maxBufferSize,
        maxComputeInvocationsPerWorkgroup: a.maxComputeInvocationsPerWorkgroup,
        maxComputeWorkgroupSizeX: a.maxComputeWorkgroupSizeX,
      },
    };
    if (opts.faults?.deviceDescriptor) descriptor = opts.faults.deviceDescriptor(descriptor);
    let device: GPUDevice;
    try {
      device = await adapter.requestDevice(descriptor);
    } catch (e) {
      throw new BackendUnavailableError('webgpu', `the adapter ${info.label} refused a device: ${oneLine((e as Error).message)}`);
    }
    return new GpuContext(adapter, device, info, vulkan, opts);
  }

  /** The device's limits. */
  get limits(): GPUSupportedLimits {
    return this.device.limits;
  }

  /** False once the device was lost or an error escaped every scope: the context must be replaced. */
  get healthy(): boolean {
    return this.lostInfo === undefined && this.uncapturedErrors === 0 && !this.closed;
  }

  /** Throws the fault that makes this context unusable, if any. */
  assertHealthy(): void {
    if (this.closed) throw new BackendFaultError('webgpu', 'device context was closed');
    if (this.lostInfo) {
      throw new BackendFaultError('webgpu', `device lost (${this.lostInfo.reason}): ${this.lostInfo.message}`);
    }
    if (this.uncapturedErrors > 0) {
      throw new BackendFaultError('webgpu', `uncaptured device error: ${this.lastUncapturedError ?? '?'}`);
    }
  }

  /**
   * Compiles a compute pipeline (layout 'auto'); throws BackendFaultError with the compiler's
   * messages when the WGSL does not compile or the pipeline does not validate.
   */
  async compile(src: PipelineSource): Promise<GPUComputePipeline> {
    this.assertHealthy();
    const { label, entryPoint, constants = {} } = src;
    const code = this.faults.transformSource ? this.faults.transformSource(src.kernel, src.code) : src.code;
    this.device.pushErrorScope('validation');
    const module = this.device.createShaderModule({ label, code });
    const messages = (await module.getCompilationInfo()).messages.filter((m) => m.type === 'error');
    const moduleError = await this.device.popErrorScope();
    if (messages.length > 0 || moduleError) {
      const text = messages.map((m) => `${m.lineNum}:${m.linePos} ${m.message}`).join('; ');
      throw new BackendFaultError('webgpu', `shader ${label} does not compile: ${text || moduleError?.message}`);
    }
    this.device.pushErrorScope('validation');
    let pipeline: GPUComputePipeline;
    try {
      pipeline = await this.device.createComputePipelineAsync({
        label,
        layout: 'auto',
        compute: { module, entryPoint, constants },
      });
    } catch (e) {
      await this.device.popErrorScope();
      throw new BackendFaultError('webgpu', `pipeline ${label} failed: ${(e as Error).message}`, { cause: e });
    }
    const pipelineError = await this.device.popErrorScope();
    if (pipelineError) throw new BackendFaultError('webgpu', `pipeline ${label} failed: ${pipelineError.message}`);
    return pipeline;
  }

  /** A buffer of this device, destroyed by {@link release} or with the context. */
  createBuffer(descriptor: GPUBufferDescriptor): GPUBuffer {
    const b = this.device.createBuffer(descriptor);
    this.buffers.add(b);
    return b;
  }

  /** Destroys a buffer made by {@link createBuffer}. */
  release(buffer: GPUBuffer): void {
    this.buffers.delete(buffer);
    buffer.destroy();
  }

  /**
   * A buffer reused across chunks, regrown on demand up to `maxSize` (default: the largest
   * storage binding the device allows).
   */
  growableBuffer(label: string, usage: GPUBufferUsageFlags, maxSize = this.maxBinding): GrowableBuffer {
    return new GrowableBuffer(this, label, usage, maxSize);
  }

  /** Largest storage buffer the device binds, bytes. */
  get maxBinding(): number {
    return Math.min(this.limits.maxStorageBufferBindingSize, this.limits.maxBufferSize);
  }

  /**
   * One chunk's round trip: `submit` (uploads, encoding, submission; returns the buffer to read
   * back) inside the error scopes, then the fault hook, then the readback mapped with the timeout
   * and its first `size` bytes handed to `read` before it is unmapped. Any failure is a
   * BackendFaultError naming `what`.
   */
  async roundTrip<T>(what: string, submit: () => GPUBuffer, size: number, read: (bytes: Uint8Array) => T): Promise<T> {
    try {
      let readback: GPUBuffer | undefined;
      const submitted = this.scoped(what, () => {
        readback = submit();
      });
      if (readback === undefined) {
        // submit threw before submitting: report that, not a readback of nothing.
        await submitted;
        throw new BackendFaultError('webgpu', `${what}: nothing was submitted`);
      }
      this.faults.afterSubmit?.(this.device);
      // Whichever fails first is reported; the other must not become an unhandled rejection.
      submitted.catch(() => undefined);
      await Promise.all([submitted, this.map(readback, GPUMapMode.READ, size)]);
      try {
        return read(new Uint8Array(readback.getMappedRange(0, size)));
      } finally {
        readback.unmap();
      }
    } catch (e) {
      throw await this.fault(what, e);
    }
  }

  /**
   * `e` as the BackendFaultError of `what`. Dawn's errors often carry no message (an aborted
   * mapping, a range of a destroyed buffer), so the error's name is kept, and the device's loss
   * when that is the cause: Dawn reports a loss a moment after the calls it broke, so this waits
   * briefly for it.
   */
  async fault(what: string, e: unknown): Promise<BackendFaultError> {
    if (e instanceof BackendFaultError) return e;
    if (!this.lostInfo) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([this.lost, new Promise((r) => (timer = setTimeout(r, LOSS_GRACE_MS)))]);
      clearTimeout(timer);
    }
    const err = e instanceof Error ? e : new Error(String(e));
    const text = [err.name !== 'Error' ? err.name : '', err.message].filter((t) => t !== '').join(': ') || 'unknown error';
    const lost = this.lostInfo ? ` (device lost (${this.lostInfo.reason}): ${this.lostInfo.message})` : this.closed ? ' (device context was closed)' : '';
    return new BackendFaultError('webgpu', `${what}: ${text}${lost}`, { cause: e });
  }

  /**
   * Runs `fn` (buffer writes, encoding, submission) inside validation and out-of-memory error
   * scopes; resolves once the scopes are popped, throwing BackendFaultError if either caught one.
   */
  async scoped(what: string, fn: () => void): Promise<void> {
    this.assertHealthy();
    this.device.pushErrorScope('out-of-memory');
    this.device.pushErrorScope('validation');
    try {
      fn();
    } finally {
      const [validation, oom] = [this.device.popErrorScope(), this.device.popErrorScope()];
      const errors = (await Promise.all([validation, oom])).filter((e) => e !== null);
      if (errors.length > 0) {
        throw new BackendFaultError('webgpu', `${what}: ${errors.map((e) => e!.message).join('; ')}`);
      }
    }
  }

  /**
   * Maps `buffer` (for reading back, or for filling a staging buffer), racing the device's loss
   * and a timeout: a mapping that never completes (hung queue, lost device whose callbacks never
   * fire) becomes a BackendFaultError after `timeoutMs` instead of a batch that waits forever.
   */
  async map(buffer: GPUBuffer, mode: GPUMapModeFlags, size: number, timeoutMs = this.mapTimeoutMs): Promise<void> {
    this.assertHealthy();
    const what = mode === GPUMapMode.READ ? 'readback' : 'staging buffer mapping';
    let timer: NodeJS.Timeout | undefined;
    let waiter: ((e: Error) => void) | undefined;
    // Rejected by the timer or by the device's loss; a waiter set rather than a race against
    // `lost`, which would pile one reaction per readback onto a promise pending for hours.
    const fault = new Promise<never>((_, reject) => {
      waiter = reject;
      this.waiters.add(reject);
      timer = setTimeout(
        () => reject(new BackendFaultError('webgpu', `${what} did not complete within ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    try {
      await Promise.race([buffer.mapAsync(mode, 0, size), fault]);
    } catch (e) {
      throw await this.fault(`${what} failed`, e);
    } finally {
      clearTimeout(timer);
      this.waiters.delete(waiter!);
    }
    this.assertHealthy();
  }

  /**
   * Destroys every buffer left and the device (which fails readbacks still waiting). Dawn's
   * instance stays alive for the process (see dawnInstance).
   */
  destroy(): void {
    if (this.closed) return;
    this.closed = true;
    for (const b of this.buffers) b.destroy();
    this.buffers.clear();
    this.device.destroy();
  }
}
