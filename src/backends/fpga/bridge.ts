import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import koffi, { type LibraryHandle } from 'koffi';

/** A C function bound by koffi (sync call plus `.async`). */
type NativeFn = ReturnType<LibraryHandle['func']>;

/** ABI version this binding speaks; must equal EAF_ABI_VERSION in native/fpga/include/evmaccel_fpga.h. */
export const EAF_ABI_VERSION = 2;
/** Size of the error buffers the C functions fill (EAF_ERR_BYTES). */
const ERR_BYTES = 256;
const LIB_NAME = 'libevmaccel_fpga.so';

/** Status codes of the C ABI (eaf_status), by value. */
export const EAF_STATUS: Record<number, string> = {
  0: 'EAF_OK',
  [-1]: 'EAF_E_ARG',
  [-2]: 'EAF_E_OPEN',
  [-3]: 'EAF_E_TIMEOUT',
  [-4]: 'EAF_E_DROPPED',
  [-5]: 'EAF_E_CORRUPT',
  [-6]: 'EAF_E_TAG',
  [-7]: 'EAF_E_IO',
  [-8]: 'EAF_E_NOMEM',
  [-9]: 'EAF_E_CORE',
};

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
  abiVersion: () => number;
  open: NativeFn;
  keccak256: NativeFn;
  describe: (h: unknown, buf: Buffer, len: number) => number;
  cycles: (h: unknown) => number | bigint;
  close: (h: unknown) => void;
}

let native: Native | undefined;

/**
 * Finds the bridge library: EVM_ACCEL_FPGA_LIB, else native/build/ of the package this file
 * belongs to (searched upwards, so it works from src/ under vitest and from dist/ once built).
 */
export function findBridgeLibrary(): string | undefined {
  const env = process.env['EVM_ACCEL_FPGA_LIB'];
  if (env) return existsSync(env) ? env : undefined;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'native', 'build', LIB_NAME);
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  return undefined;
}

function load(path: string): Native {
  if (native) return native;
  const lib = koffi.load(path);
  koffi.opaque('eaf_handle');
  native = {
    abiVersion: lib.func('int eaf_abi_version(void)'),
    open: lib.func('eaf_handle *eaf_open(const char *target, char *err, size_t errlen)'),
    keccak256: lib.func(
      'int eaf_keccak256(eaf_handle *h, const uint8_t *data, uint64_t data_len, const uint32_t *offsets, uint32_t count, uint8_t *digests, char *err, size_t errlen)',
    ),
    describe: lib.func('int eaf_describe(eaf_handle *h, char *buf, size_t len)'),
    cycles: lib.func('uint64_t eaf_cycles(eaf_handle *h)'),
    close: lib.func('void eaf_close(eaf_handle *h)'),
  };
  return native;
}

function cString(buf: Buffer): string {
  const end = buf.indexOf(0);
  return buf.toString('utf8', 0, end < 0 ? buf.length : end);
}

function callAsync(fn: NativeFn, ...args: unknown[]): Promise<unknown> {
  return new Promise((resolve, reject) => {
    fn.async(...args, (err: unknown, res: unknown) => (err ? reject(err) : resolve(res)));
  });
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

  /** Opens `target` (e.g. 'sim', 'sim:core=iterative', 'xdma:/dev/xdma0'); rejects with BridgeError. */
  static async open(libraryPath: string, target: string): Promise<Bridge> {
    const lib = load(libraryPath);
    const abi = lib.abiVersion();
    if (abi !== EAF_ABI_VERSION) {
      throw new BridgeError('EAF_E_OPEN', `${libraryPath} speaks ABI ${abi}, this binding ${EAF_ABI_VERSION}: rebuild with make -C native`);
    }
    const err = Buffer.alloc(ERR_BYTES);
    // Opening may block (an XDMA FIFO waits for its peer), so it runs off the JS thread too.
    const handle = await callAsync(lib.open, target, err, ERR_BYTES);
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
      const rc = (await callAsync(this.lib.keccak256, this.handle, data, data.length, offsets, count, digests, err, ERR_BYTES)) as number;
      if (rc !== 0) throw new BridgeError(EAF_STATUS[rc] ?? `status ${rc}`, cString(err));
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
