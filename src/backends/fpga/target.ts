/** The environment variable naming the FPGA target when createAccelerator gets none. */
export const FPGA_ENV = 'EVM_ACCEL_FPGA';

/**
 * The FPGA target to open: `opts.fpga`, else EVM_ACCEL_FPGA; undefined when neither names one.
 * Targets: 'sim' or 'sim:<knobs>' (the Verilator model), 'xdma:/dev/xdma0[,knobs]' (a board).
 */
export function resolveFpgaTarget(explicit: string | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const t = (explicit ?? env[FPGA_ENV])?.trim();
  return t ? t : undefined;
}
