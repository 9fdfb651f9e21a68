import type { Backend, BackendFactoryOptions } from '../../runtime/backend.js';
import { BackendFaultError } from '../../runtime/errors.js';
import type { PackedMessages, PackedSignatures, RecoveredKeys } from '../../runtime/packing.js';
import type { BackendInfo, KernelName } from '../../runtime/types.js';
import type { AdapterDescription } from './adapter-kind.js';
import { resolveWebGpuOptions, type KeccakTuning, type WebGpuOptions } from './config.js';
import { GpuContext } from './device.js';
import { KeccakKernel } from './keccak-kernel.js';
import { RecoverKernel, type RecoveredAddresses } from './secp256k1/recover-kernel.js';
import type { VulkanSetup } from './vulkan-environment.js';

/** The kernels this backend runs, by name; a kernel is built on one context and dies with it. */
export interface WebGpuKernels {
  keccak256: KeccakKernel;
  ecrecover: RecoverKernel;
}

/** A kernel's life on a context: built lazily, destroyed with the context. */
interface GpuKernel {
  /** Frees the kernel's buffers; the device belongs to the context. */
  destroy(): void;
}

/** How each kernel is built on a context: lazily, on the first batch that needs it. */
const KERNEL_FACTORIES: { [K in keyof WebGpuKernels]: (ctx: GpuContext, o: WebGpuOptions) => Promise<WebGpuKernels[K]> } = {
  keccak256: (ctx, o) => KeccakKernel.create(ctx, o.keccak),
  ecrecover: (ctx, o) => RecoverKernel.create(ctx, o.ecrecover),
};

/** One acquired device and the kernels built on it so far. */
class Session {
  private readonly kernels = new Map<keyof WebGpuKernels, Promise<GpuKernel>>();

  constructor(
    readonly ctx: GpuContext,
    private readonly opts: WebGpuOptions,
  ) {}

  /** The kernel, compiled on first use and cached for the session's life. */
  kernel<K extends keyof WebGpuKernels>(name: K): Promise<WebGpuKernels[K]> {
    let k = this.kernels.get(name);
    if (!k) {
      k = KERNEL_FACTORIES[name](this.ctx, this.opts);
      this.kernels.set(name, k);
    }
    return k as Promise<WebGpuKernels[K]>;
  }

  dispose(): void {
    for (const k of this.kernels.values()) k.then((kernel) => kernel.destroy(), () => undefined);
    this.ctx.destroy();
  }
}

/**
 * The WebGPU backend (Dawn through the npm `webgpu` package). Any fault — lost device, error no
 * scope caught, shader that does not compile, readback that times out — discards the device and
 * its kernels and rethrows as BackendFaultError, so the runtime re-runs the batch elsewhere; the
 * next batch acquires a fresh device.
 */
export class WebGpuBackend implements Backend {
  readonly name = 'webgpu' as const;
  readonly kernels: readonly KernelName[] = ['keccak256', 'ecrecover'];
  /** Faults seen, devices acquired after the first, and the last fault's message. */
  readonly health = { faults: 0, reacquisitions: 0, lastFault: undefined as string | undefined };
  private session: Promise<Session> | undefined;
  private adapter: AdapterDescription;
  private readonly vulkan: VulkanSetup;
  private closed = false;
  /** Batches running, which close() lets finish before it destroys their device. */
  private readonly running = new Set<Promise<unknown>>();

  private constructor(
    first: Session,
    readonly options: WebGpuOptions,
  ) {
    this.session = Promise.resolve(first);
    this.adapter = first.ctx.info;
    this.vulkan = first.ctx.vulkan;
  }

  /** Acquires a device; throws BackendUnavailableError when there is no adapter. */
  static async open(options: WebGpuOptions): Promise<WebGpuBackend> {
    const ctx = await GpuContext.acquire(options);
    return new WebGpuBackend(new Session(ctx, options), options);
  }

  describe(): Omit<BackendInfo, 'status' | 'calibratedRate'> {
    const k: KeccakTuning = this.options.keccak;
    return {
      name: this.name,
      device: `${this.adapter.label} (Dawn WebGPU)`,
      kind: this.adapter.kind,
      kernels: [...this.kernels],
      details: {
        adapterChoice: this.vulkan.choice,
        ...(this.vulkan.drivers.length > 0 ? { vulkanDrivers: this.vulkan.drivers.join(', ') } : {}),
        vendor: this.adapter.vendor,
        architecture: this.adapter.architecture,
        adapterDevice: this.adapter.device,
        keccakLanes: k.lanes,
        keccakRounds: k.rounds,
        keccakWorkgroupSize: k.workgroupSize,
        chunkMessages: k.chunkMessages,
        inFlight: k.inFlight,
        faults: this.health.faults,
        reacquisitions: this.health.reacquisitions,
        ...(this.health.lastFault !== undefined ? { lastFault: this.health.lastFault } : {}),
      },
    };
  }

  async keccak256(batch: PackedMessages): Promise<Uint8Array> {
    return this.run('keccak256', (k) => k.hash(batch));
  }

  async ecrecover(batch: PackedSignatures): Promise<RecoveredKeys> {
    return this.run('ecrecover', (k) => k.recover(batch));
  }

  /** Recovery and Keccak of x‖y in one dispatch: keys never travel back to the host. */
  async recoverAddresses(batch: PackedSignatures): Promise<RecoveredAddresses> {
    return this.run('ecrecover', (k) => k.recoverAddresses(batch));
  }

  /** The kernel of the current session (acquiring a device first if the last one faulted). */
  async kernel<K extends keyof WebGpuKernels>(name: K): Promise<WebGpuKernels[K]> {
    return (await this.current()).kernel(name);
  }

  /** The current device context (acquiring one if the last faulted): for benchmarks and tests. */
  async context(): Promise<GpuContext> {
    return (await this.current()).ctx;
  }

  /** Lets running batches finish, then destroys the kernels' buffers and the device. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled(this.running);
    const s = this.session;
    this.session = undefined;
    if (s) (await s.catch(() => undefined))?.dispose();
  }

  private run<K extends keyof WebGpuKernels, T>(name: K, fn: (k: WebGpuKernels[K]) => Promise<T>): Promise<T> {
    const batch = this.runOnSession(name, fn);
    this.running.add(batch);
    const forget = () => this.running.delete(batch);
    batch.then(forget, forget);
    return batch;
  }

  private async runOnSession<K extends keyof WebGpuKernels, T>(name: K, fn: (k: WebGpuKernels[K]) => Promise<T>): Promise<T> {
    let pending = this.current();
    let session: Session | undefined;
    try {
      session = await pending;
      if (!session.ctx.healthy) {
        // Lost (or corrupted) while idle: no batch was on it, so replace it before this one runs.
        this.fault(pending, session, new Error(`device unusable while idle: ${session.ctx.lostInfo?.message ?? session.ctx.lastUncapturedError}`));
        session = undefined;
        pending = this.current();
        session = await pending;
      }
      return await fn(await session.kernel(name));
    } catch (e) {
      this.fault(pending, session, e);
      throw e instanceof BackendFaultError ? e : new BackendFaultError('webgpu', (e as Error).message, { cause: e });
    }
  }

  private current(): Promise<Session> {
    if (this.closed) return Promise.reject(new BackendFaultError('webgpu', 'backend is closed'));
    if (!this.session) {
      this.health.reacquisitions++;
      this.session = GpuContext.acquire(this.options).then((ctx) => {
        this.adapter = ctx.info;
        return new Session(ctx, this.options);
      });
    }
    return this.session;
  }

  /** Counts a fault and drops the session it happened on, unless a newer one already replaced it. */
  private fault(pending: Promise<Session>, session: Session | undefined, e: unknown): void {
    this.health.faults++;
    this.health.lastFault = (e as Error).message;
    if (this.session === pending) this.session = undefined;
    session?.dispose();
  }
}

/** Registry factory: opens the backend with defaults, tuned by EVM_ACCEL_WEBGPU_* variables. */
export async function openWebGpu(_opts: BackendFactoryOptions): Promise<Backend> {
  return WebGpuBackend.open(resolveWebGpuOptions());
}
