import { availableParallelism, cpus } from 'node:os';
import type { Backend, BackendFactoryOptions } from '../../runtime/backend.js';
import { BackendFaultError, InputError } from '../../runtime/errors.js';
import { MAX_WORKERS } from '../../runtime/options.js';
import {
  ADDRESS_BYTES,
  DIGEST_BYTES,
  PUBKEY_BYTES,
  SIG_RECORD_BYTES,
  type PackedMessages,
  type PackedSignatures,
  type RecoveredKeys,
} from '../../runtime/packing.js';
import { loadNativeCpuLibrary, type NativeCpuLibrary } from './native-library.js';

/**
 * Batches of at most this many Keccak permutations (0.17-0.4 µs each) are hashed on the JS
 * thread: dispatching an async call costs 20-100 µs on a busy 2-core machine, more than the work
 * (bench/cpu-native-scaling.ts), and blocking for under ~50 µs does not hold the event loop up.
 */
const SYNC_MAX_BLOCKS = 128;
const KECCAK_RATE = 136;

/**
 * The native CPU backend: Keccak-256 in C and libsecp256k1 recovery, one FFI call per batch, run
 * off the JS thread (koffi async call) and spread over `threads` threads inside the C library.
 */
export class CpuNativeBackend implements Backend {
  readonly name = 'cpu-native' as const;
  readonly kernels = ['keccak256', 'ecrecover'] as const;
  /** 16M items: 1 GiB of keys out; the C ABI's u32 counts and offsets would allow more. */
  readonly maxBatch = 1 << 24;
  private closed = false;
  private readonly inFlight = new Set<Promise<number>>();

  constructor(
    private readonly lib: NativeCpuLibrary,
    /** Threads per batch. */
    readonly threads: number,
  ) {}

  describe() {
    const model = cpus()[0]?.model.trim() || 'unknown CPU';
    return {
      name: this.name,
      device: `${model}, ${this.threads} thread${this.threads === 1 ? '' : 's'} (C Keccak-256 ${this.lib.keccakImpl}, libsecp256k1 ${this.lib.secp256k1Version})`,
      kind: 'hardware' as const,
      kernels: [...this.kernels],
      details: { cpu: model, threads: this.threads, keccak: this.lib.keccakImpl, secp256k1: this.lib.secp256k1Version, library: this.lib.path },
    };
  }

  async keccak256(batch: PackedMessages): Promise<Uint8Array> {
    const { data, offsets, count } = batch;
    if (offsets.length < 2 * count) {
      throw new InputError(-1, `offsets table holds ${offsets.length / 2} entries for ${count} messages`);
    }
    const out = new Uint8Array(count * DIGEST_BYTES);
    if (count === 0) return out;
    if (fewBlocks(offsets, count)) {
      if (this.closed) throw new BackendFaultError(this.name, 'backend is closed');
      this.check(this.lib.keccak256Sync(data, offsets, count, out));
    } else {
      await this.call(() => this.lib.keccak256(data, offsets, count, out, this.threads));
    }
    return out;
  }

  async ecrecover(batch: PackedSignatures): Promise<RecoveredKeys> {
    const { records, count } = checkRecords(batch);
    const keys = new Uint8Array(count * PUBKEY_BYTES);
    const valid = new Uint8Array(count);
    if (count > 0) await this.call(() => this.lib.ecrecover(records, count, keys, valid, this.threads));
    return { keys, valid };
  }

  async recoverAddresses(batch: PackedSignatures): Promise<{ addresses: Uint8Array; valid: Uint8Array }> {
    const { records, count } = checkRecords(batch);
    const addresses = new Uint8Array(count * ADDRESS_BYTES);
    const valid = new Uint8Array(count);
    if (count > 0) await this.call(() => this.lib.recoverAddresses(records, count, addresses, valid, this.threads));
    return { addresses, valid };
  }

  /** Waits for the batches in flight (their buffers are in use by C until they settle). */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.inFlight]);
  }

  private async call(start: () => Promise<number>): Promise<void> {
    if (this.closed) throw new BackendFaultError(this.name, 'backend is closed');
    let pending: Promise<number> | undefined;
    let rc: number;
    try {
      pending = start();
      this.inFlight.add(pending);
      rc = await pending;
    } catch (e) {
      throw new BackendFaultError(this.name, `native call failed: ${(e as Error).message}`, { cause: e });
    } finally {
      if (pending) this.inFlight.delete(pending);
    }
    this.check(rc);
  }

  /** Turns a C status into the error it means: bad offsets are the caller's input, anything else a fault. */
  private check(rc: number): void {
    if (rc === 0) return;
    const name = this.lib.statusName(rc);
    if (name === 'EVMACCEL_EBOUNDS') throw new InputError(-1, `${name}: an (offset, length) pair reaches past the end of the data buffer`);
    throw new BackendFaultError(this.name, `native call returned ${name} (${rc})`);
  }
}

/** Whether a batch needs at most SYNC_MAX_BLOCKS permutations (looks at no more entries than that). */
function fewBlocks(offsets: Uint32Array, count: number): boolean {
  if (count > SYNC_MAX_BLOCKS) return false;
  let blocks = 0;
  for (let i = 0; i < count; i++) blocks += Math.floor(offsets[2 * i + 1]! / KECCAK_RATE) + 1;
  return blocks <= SYNC_MAX_BLOCKS;
}

function checkRecords(batch: PackedSignatures): PackedSignatures {
  if (batch.records.length < batch.count * SIG_RECORD_BYTES) {
    throw new InputError(-1, `records hold ${batch.records.length} bytes for ${batch.count} signatures`);
  }
  return batch;
}

/**
 * Opens the native backend with `opts.workers` threads per batch (default: the available cores).
 * Throws BackendUnavailableError when the library is not built or cannot be loaded.
 */
export async function openCpuNative(opts: BackendFactoryOptions): Promise<Backend> {
  const threads = opts.workers ?? availableParallelism();
  if (!Number.isInteger(threads) || threads < 1 || threads > MAX_WORKERS) {
    throw new InputError(-1, `workers must be an integer in 1..${MAX_WORKERS}, got ${String(opts.workers)}`);
  }
  return new CpuNativeBackend(loadNativeCpuLibrary(), threads);
}
