import { CpuJsBackend } from '../../src/backends/cpu/js-backend.js';
import type { Backend } from '../../src/runtime/backend.js';
import type { PackedMessages, PackedSignatures } from '../../src/runtime/packing.js';
import type { BackendName } from '../../src/index.js';

export type Fault = 'none' | 'throw' | 'hang' | 'short' | 'wrong';

/**
 * A real backend (the JS one) with a fault injected from its `faultAfter`-th batch on: throws,
 * never answers, returns a truncated result, or returns wrong digests/keys. Poses as `name` so the
 * runtime treats it like the device it stands for.
 */
export class FaultyBackend implements Backend {
  readonly kernels = ['keccak256', 'ecrecover'] as const;
  calls = 0;
  private readonly inner = new CpuJsBackend();
  constructor(
    readonly name: BackendName,
    public fault: Fault,
    private readonly faultAfter = 0,
  ) {}

  describe() {
    return { ...this.inner.describe(), name: this.name, device: `fault-injecting ${this.name}`, kind: 'hardware' as const };
  }

  private async inject<T extends Uint8Array>(compute: () => Promise<T>): Promise<T> {
    const n = this.calls++;
    const fault = n >= this.faultAfter ? this.fault : 'none';
    if (fault === 'throw') throw new Error('injected device fault');
    if (fault === 'hang') return new Promise<T>(() => {});
    const out = await compute();
    if (fault === 'short') return out.subarray(0, out.length - 1) as T;
    if (fault === 'wrong') return out.map((b) => b ^ 1) as T;
    return out;
  }

  keccak256(batch: PackedMessages): Promise<Uint8Array> {
    return this.inject(() => this.inner.keccak256(batch));
  }

  async ecrecover(batch: PackedSignatures) {
    const r = await this.inner.ecrecover(batch);
    return { keys: await this.inject(async () => r.keys), valid: r.valid };
  }

  async close(): Promise<void> {}
}
