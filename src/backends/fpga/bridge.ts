import koffi from 'koffi';
import { callAsync, findNativeLibrary, NativeLibrary, type NativeFunction, type NativeLibrarySpec } from '../ffi.js';

/** Size of the error buffers the C functions fill (EAF_ERR_BYTES). */
const ERR_BYTES = 256;

/** native/fpga's bridge: must match EAF_ABI_VERSION in native/fpga/include/evmaccel_fpga.h. */
export const FPGA_LIBRARY: NativeLibrarySpec = {
  backend: 'fpga',
  source: 'fpga',
  file: 'libevmaccel_fpga.so',
  abi: { fn: 'eaf_abi_version', version: 2 },
  statusName: 'eaf_status_name',
  // It links the Verilator models of hdl/: built where Verilator is installed, never shipped prebuilt.
  prebuilt: false,
  pathEnv: 'EVM_ACCEL_FPGA_LIB',
  buildNeeds: 'verilator',
};

// koffi's type names are process-wide: declared once, here.
koffi.opaque('eaf_handle');

/** A failed bridge call: its status name (e.g. EAF_E_TIMEOUT) and the library's message. */
export class BridgeError extends Error {
  constructor(
    readonly status: string,
    readonly detail: string,
  ) {
    super(`${status}: ${detail}`);
  }
}

/** What eaf_describe reports. */
export interface BridgeDescription {
  transport: 'sim' | 'xdma';
  core: 'pipelined' | 'iterative';
  /** The card's own integrity check: `duplicate` = two cores in lockstep, compared on every permutation. */
  check: 'duplicate' | 'none';
  contexts: number;
  lanes: number;
  clock: string;
  software: boolean;
  model?: string;
  device?: string;
}

interface Native {
  lib: NativeLibrary;
  open: NativeFunction;
  keccak256: NativeFunction;
  describe: (h: unknown, buf: Buffer, len: number) => number;
  cycles: (h: unknown) => number | bigint;
  close: (h: unknown) => void;
}

const bound = new Map<string, Native>();

/** The bridge library's path (see findNativeLibrary); throws BackendUnavailableError when there is none. */
export function findBridgeLibrary(): string {
  return findNativeLibrary(FPGA_LIBRARY);
}

function load(path: string): Native {
  const lib = NativeLibrary.open(FPGA_LIBRARY, path);
  let native = bound.get(lib.path);
  if (!native) {
    native = {
      lib,
      open: lib.func('eaf_handle *eaf_open(const char *target, char *err, size_t errlen)'),
      keccak256: lib.func(
        'int eaf_keccak256(eaf_handle *h, const uint8_t *data, uint64_t data_len, const uint32_t *offsets, uint32_t count, uint8_t *digests, char *err, size_t errlen)',
      ),
      describe: lib.func('int eaf_describe(eaf_handle *h, char *buf, size_t len)'),
      cycles: lib.func('uint64_t eaf_cycles(eaf_handle *h)'),
      close: lib.func('void eaf_close(eaf_handle *h)'),
    };
    bound.set(lib.path, native);
  }
  return native;
}

function cString(buf: Buffer): string {
  const end = buf.indexOf(0);
  return buf.toString('utf8', 0, end < 0 ? buf.length : end);
}

/**
 * One open target of the bridge. Calls run on a koffi worker thread so the JS thread never
 * blocks on the simulation or the DMA; they are serialised because a handle serves one call
 * at a time.
 */
export class Bridge {
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(
    private readonly lib: Native,
    private readonly handle: unknown,
  ) {}

  /**
   * Opens `target` (e.g. 'sim', 'sim:core=iterative', 'xdma:/dev/xdma0'); rejects with BridgeError,
   * or with BackendUnavailableError when the library cannot be loaded or speaks another ABI.
   */
  static async open(libraryPath: string, target: string): Promise<Bridge> {
    const lib = load(libraryPath);
    const err = Buffer.alloc(ERR_BYTES);
    // Opening may block (an XDMA FIFO waits for its peer), so it runs off the JS thread too.
    const handle = await callAsync<unknown>(lib.open, target, err, ERR_BYTES);
    if (handle === null) throw new BridgeError('EAF_E_OPEN', cString(err));
    return new Bridge(lib, handle);
  }

  describe(): BridgeDescription {
    const buf = Buffer.alloc(1024);
    this.lib.describe(this.handle, buf, buf.length);
    return JSON.parse(cString(buf)) as BridgeDescription;
  }

  /** Simulated clock cycles since open (0 on hardware). */
  cycles(): number {
    return Number(this.lib.cycles(this.handle));
  }

  /** Digests of a packed batch (count × 32 bytes); rejects with BridgeError on any fault. */
  keccak256(data: Uint8Array, offsets: Uint32Array, count: number): Promise<Uint8Array> {
    const run = async (): Promise<Uint8Array> => {
      if (this.closed) throw new BridgeError('EAF_E_ARG', 'bridge is closed');
      const digests = new Uint8Array(count * 32);
      const err = Buffer.alloc(ERR_BYTES);
      const rc = await callAsync<number>(this.lib.keccak256, this.handle, data, data.length, offsets, count, digests, err, ERR_BYTES);
      if (rc !== 0) throw new BridgeError(this.lib.lib.statusName(rc), cString(err));
      return digests;
    };
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }

  async close(): Promise<void> {
    await this.queue;
    if (this.closed) return;
    this.closed = true;
    this.lib.close(this.handle);
  }
}
