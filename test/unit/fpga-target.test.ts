import { afterEach, expect, test, vi } from 'vitest';
import { openFpga } from '../../src/backends/fpga/fpga-backend.js';
import { resolveFpgaTarget } from '../../src/backends/fpga/target.js';
import { BackendUnavailableError } from '../../src/runtime/errors.js';

afterEach(() => vi.unstubAllEnvs());

test('the target comes from opts.fpga, else EVM_ACCEL_FPGA', () => {
  expect(resolveFpgaTarget('sim:core=iterative', { EVM_ACCEL_FPGA: 'xdma:/dev/xdma0' })).toBe('sim:core=iterative');
  expect(resolveFpgaTarget(undefined, { EVM_ACCEL_FPGA: ' xdma:/dev/xdma0 ' })).toBe('xdma:/dev/xdma0');
  expect(resolveFpgaTarget(undefined, {})).toBeUndefined();
  expect(resolveFpgaTarget('', { EVM_ACCEL_FPGA: '' })).toBeUndefined();
});

test('without a target the backend is unavailable and says how to enable it', async () => {
  vi.stubEnv('EVM_ACCEL_FPGA', '');
  const err = await openFpga({}).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(BackendUnavailableError);
  expect((err as Error).message).toMatch(/set EVM_ACCEL_FPGA=sim/);
});

test('without the bridge library the backend is unavailable and says how to build it', async () => {
  vi.stubEnv('EVM_ACCEL_FPGA_LIB', '/nonexistent/libevmaccel_fpga.so');
  const err = await openFpga({ fpga: 'sim' }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(BackendUnavailableError);
  expect((err as Error).message).toMatch(/EVM_ACCEL_FPGA_LIB=\/nonexistent\S* names no file: unset it, or build the library with `make -C \S*native\/fpga` \(needs verilator\)/);
});
