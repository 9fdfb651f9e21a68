import type { BackendFactory } from '../runtime/backend.js';
import type { BackendName } from '../runtime/types.js';

/**
 * How each backend is opened. Imports are dynamic so that a machine without Dawn, the native
 * library or the FPGA model never loads them, and probing one cannot break another.
 */
export const BACKEND_FACTORIES: Record<BackendName, BackendFactory> = {
  'cpu-js': async () => (await import('./cpu/js-backend.js')).openCpuJs(),
  'cpu-native': async (o) => (await import('./cpu/native-backend.js')).openCpuNative(o),
  webgpu: async (o) => (await import('./webgpu/webgpu-backend.js')).openWebGpu(o),
  fpga: async (o) => (await import('./fpga/fpga-backend.js')).openFpga(o),
};
