import type { Backend } from '../../src/runtime/backend.js';
import type { PackedMessages, PackedSignatures, RecoveredKeys } from '../../src/runtime/packing.js';
import type { BackendName } from '../../src/index.js';

/** What a tampering backend does to one call's result (the real result in, what it hands back out). */
export interface Tamper {
  keccak256?: (digests: Uint8Array, batch: PackedMessages) => Uint8Array;
  ecrecover?: (r: RecoveredKeys, batch: PackedSignatures) => RecoveredKeys;
  addresses?: (r: { addresses: Uint8Array; valid: Uint8Array }, batch: PackedSignatures) => { addresses: Uint8Array; valid: Uint8Array };
}

export interface TamperingOptions {
  /** The device it poses as. */
  name: BackendName;
  kind?: 'hardware' | 'software';
  /** Expose the inner backend's fused recoverAddresses (default true); false makes the runtime compose it. */
  fused?: boolean;
}

/**
 * A real backend (cpu-native or cpu-js) posing as another device, whose results the test can
 * tamper with, delay or replace by a thrown fault, call by call.
 */
export class TamperingBackend implements Backend {
  readonly name: BackendName;
  readonly kernels: Backend['kernels'];
  readonly maxBatch?: number;
  /** Calls made so far, over all kernels. */
  calls = 0;
  /** Added to every call, as a device's dispatch and readback latency would be. */
  latencyMs = 0;
  /** While set, every call waits for it: a device that is slow to answer, released by the test. */
  gate: Promise<void> | null = null;
  /** Applied to results while set. */
  tamper: Tamper = {};
  /** Throws an injected fault on the calls for which it returns true (call index from 0). */
  failWhen: (call: number) => boolean = () => false;
  recoverAddresses?: (batch: PackedSignatures) => Promise<{ addresses: Uint8Array; valid: Uint8Array }>;

  constructor(
    private readonly inner: Backend,
    private readonly o: TamperingOptions,
  ) {
    this.name = o.name;
    this.kernels = inner.kernels;
    if (inner.maxBatch !== undefined) this.maxBatch = inner.maxBatch;
    if (o.fused !== false && inner.recoverAddresses) {
      this.recoverAddresses = async (batch) => {
        const r = await this.call(() => inner.recoverAddresses!(batch));
        return this.tamper.addresses ? this.tamper.addresses(r, batch) : r;
      };
    }
  }

  describe() {
    return { ...this.inner.describe(), name: this.name, device: `tampering ${this.name} over ${this.inner.name}`, kind: this.o.kind ?? 'hardware' };
  }

  private async call<T>(compute: () => Promise<T>): Promise<T> {
    const n = this.calls++;
    if (this.gate) await this.gate;
    if (this.latencyMs > 0) await new Promise((r) => setTimeout(r, this.latencyMs));
    if (this.failWhen(n)) throw new Error(`injected device fault on call ${n}`);
    return compute();
  }

  async keccak256(batch: PackedMessages): Promise<Uint8Array> {
    const out = await this.call(() => this.inner.keccak256(batch));
    return this.tamper.keccak256 ? this.tamper.keccak256(out, batch) : out;
  }

  async ecrecover(batch: PackedSignatures): Promise<RecoveredKeys> {
    const r = await this.call(() => this.inner.ecrecover!(batch));
    return this.tamper.ecrecover ? this.tamper.ecrecover(r, batch) : r;
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
