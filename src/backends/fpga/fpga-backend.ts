import type { Backend, BackendFactoryOptions } from '../../runtime/backend.js';
import { BackendFaultError, BackendUnavailableError } from '../../runtime/errors.js';
import type { PackedMessages } from '../../runtime/packing.js';
import type { BackendInfo } from '../../runtime/types.js';
import { Bridge, BridgeError, findBridgeLibrary, type BridgeDescription } from './bridge.js';
import { FPGA_ENV, resolveFpgaTarget } from './target.js';

/**
 * Keccak-256 on the FPGA cores of hdl/, through the C bridge of native/fpga: a board over XDMA
 * or the Verilator model of the same RTL. Each batch is framed and streamed in one bridge call;
 * any fault the bridge detects (timeout, dropped or corrupt digest, bad tag, a digest the card's
 * duplicated cores disagreed on) is thrown as a BackendFaultError so the runtime re-runs the batch
 * elsewhere. What the card cannot see (a block damaged on its way in, a fault both cores share)
 * is left to the runtime's verification of device results on the CPU (hdl/README.md).
 */
export class FpgaBackend implements Backend {
  readonly name = 'fpga' as const;
  readonly kernels = ['keccak256'] as const;
  /** Bounds one call's framing buffers (144 bytes per block) to a few tens of MB. */
  readonly maxBatch = 65536;
  private readonly info: BridgeDescription;

  constructor(
    private readonly bridge: Bridge,
    readonly target: string,
  ) {
    this.info = bridge.describe();
  }

  describe(): Omit<BackendInfo, 'status' | 'calibratedRate'> {
    const i = this.info;
    const where = i.transport === 'sim' ? `Verilator simulation (${i.model ?? 'hdl/keccak256.v'})` : `board at ${i.device ?? '?'} over XDMA`;
    return {
      name: this.name,
      device: `FPGA ${i.core} Keccak-256 core, ${where}`,
      kind: i.software ? 'software' : 'hardware',
      kernels: [...this.kernels],
      details: { target: this.target, transport: i.transport, core: i.core, check: i.check, clock: i.clock, lanes: i.lanes, contexts: i.contexts },
    };
  }

  /** Simulated clock cycles since open (0 on a board): the benchmark's hashes-per-clock figure. */
  cycles(): number {
    return this.bridge.cycles();
  }

  async keccak256(batch: PackedMessages): Promise<Uint8Array> {
    let digests: Uint8Array;
    try {
      digests = await this.bridge.keccak256(batch.data, batch.offsets, batch.count);
    } catch (e) {
      const reason = e instanceof BridgeError ? e.message : `bridge call failed: ${String(e)}`;
      throw new BackendFaultError('fpga', reason, { cause: e });
    }
    return digests;
  }

  close(): Promise<void> {
    return this.bridge.close();
  }
}

/**
 * Opens the FPGA backend on `opts.fpga` or EVM_ACCEL_FPGA; throws BackendUnavailableError saying
 * how to enable it when no target is named, the bridge is not built or the target cannot be opened.
 */
export async function openFpga(opts: BackendFactoryOptions): Promise<Backend> {
  const target = resolveFpgaTarget(opts.fpga);
  if (target === undefined) {
    throw new BackendUnavailableError('fpga', `no FPGA target: set ${FPGA_ENV}=sim for the Verilator model or ${FPGA_ENV}=xdma:/dev/xdma0 for a board (or pass fpga: ...)`);
  }
  const lib = findBridgeLibrary();
  try {
    return new FpgaBackend(await Bridge.open(lib, target), target);
  } catch (e) {
    if (e instanceof BackendUnavailableError) throw e;
    throw new BackendUnavailableError('fpga', `cannot open target "${target}": ${e instanceof Error ? e.message : String(e)}`);
  }
}
