// CI's readiness check, run by `scripts/setup.sh test` before the suites: every backend the suites
// claim to test must be ready here (cpu-native from the library built in the repository, WebGPU on
// SwiftShader or the machine's GPU, the FPGA on the Verilator model), else it exits 1, once, with
// each backend's reason. Without it a missing system library would show up as a scatter of
// failures, or as suites that quietly test the fallback.
import { existsSync } from 'node:fs';
import { createAccelerator } from '../dist/src/index.js';
import { builtLibraryPath } from '../dist/src/backends/ffi.js';
import { CPU_LIBRARY } from '../dist/src/backends/cpu/native-library.js';

const swiftshader = process.env.EVM_ACCEL_WEBGPU_ADAPTER === 'swiftshader';
const accel = await createAccelerator({ backends: ['cpu-native', 'webgpu', 'fpga'], calibrate: false, fpga: process.env.EVM_ACCEL_FPGA ?? 'sim' });
const problems = [];
try {
  const byName = new Map(accel.backends.map((b) => [b.name, b]));
  for (const name of ['cpu-native', 'webgpu', 'fpga']) {
    const b = byName.get(name);
    if (b?.status !== 'ready') problems.push(`${name} is ${b?.status ?? 'missing'}: ${b?.reason ?? 'no reason given'}`);
  }
  const native = byName.get('cpu-native');
  if (native?.status === 'ready' && native.details?.library !== builtLibraryPath(CPU_LIBRARY)) {
    problems.push(`cpu-native loaded ${native.details?.library}, not the library this tree built (${builtLibraryPath(CPU_LIBRARY)})`);
  }
  const gpu = byName.get('webgpu');
  if (gpu?.status === 'ready' && swiftshader && !/swiftshader/i.test(gpu.device)) {
    problems.push(`EVM_ACCEL_WEBGPU_ADAPTER=swiftshader but WebGPU runs on ${gpu.device}`);
  }
  if (!existsSync(builtLibraryPath(CPU_LIBRARY))) problems.push('native/build holds no cpu-native library: did `make -C native` run?');
} finally {
  await accel.close();
}

if (problems.length) {
  process.stderr.write(`backends not ready, so the suites cannot test them:\n${problems.map((p) => `  - ${p}`).join('\n')}\n`);
  process.exit(1);
}
process.stderr.write(`backends ready: ${accel.backends.map((b) => `${b.name} (${b.device})`).join('; ')}\n`);
