/// <reference types="@webgpu/types" />
import { mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';
let gpuInstance: GPU | undefined;
const SHADERS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'shaders');

/**
 * A WebGPU device for the shader suites: Dawn through the npm `webgpu` package, on SwiftShader
 * unless VK_ICD_FILENAMES already names a Vulkan driver or EVM_ACCEL_TEST_ADAPTER=hardware asks for
 * the system's own (a real GPU).
 */
export async function gpuDeviceForTests(requiredLimits: Record<string, number> = {}): Promise<GPUDevice> {
  if (process.env.EVM_ACCEL_TEST_ADAPTER !== 'hardware') process.env.VK_ICD_FILENAMES ??= SWIFTSHADER_ICD;
  if (!process.env.XDG_RUNTIME_DIR) {
    const dir = join(tmpdir(), `evm-accel-xdg-${process.getuid?.() ?? 'user'}`);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    process.env.XDG_RUNTIME_DIR = dir;
  }
  const { create, globals } = await import('webgpu');
  Object.assign(globalThis, globals);
  // Dawn's instance must outlive its devices: dropping the GPU object lets GC free it under them,
  // which corrupts memory in Dawn's threads (random mutex assertions). Keep it for the process.
  gpuInstance ??= create([]);
  const adapter = await gpuInstance.requestAdapter();
  if (!adapter) throw new Error('no WebGPU adapter (is SwiftShader installed?)');
  return adapter.requestDevice({ requiredLimits });
}

/** Reads a WGSL file from the repository's `shaders/` folder. */
export function loadShaderFromRepo(relPath: string): string {
  return readFileSync(join(SHADERS_DIR, relPath), 'utf8');
}

/**
 * Runs a one-off test entry point `main` (workgroup size 64, one invocation per item) whose
 * bindings are `@binding(0)` read-only input words and `@binding(1)` output words; returns the
 * output. Compile errors throw with the compiler's messages.
 */
export async function runTestKernel(
  device: GPUDevice,
  code: string,
  input: Uint32Array,
  items: number,
  outWordsPerItem: number,
): Promise<Uint32Array> {
  const module = device.createShaderModule({ code });
  const errors = (await module.getCompilationInfo()).messages.filter((m) => m.type === 'error');
  if (errors.length > 0) throw new Error(errors.map((m) => `${m.lineNum}:${m.linePos} ${m.message}`).join('\n'));
  const pipeline = await device.createComputePipelineAsync({ layout: 'auto', compute: { module, entryPoint: 'main' } });
  const inBuf = device.createBuffer({ size: Math.max(16, input.byteLength), usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
  device.queue.writeBuffer(inBuf, 0, input);
  const outBytes = items * outWordsPerItem * 4;
  const outBuf = device.createBuffer({ size: outBytes, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
  const readBuf = device.createBuffer({ size: outBytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const bindGroup = device.createBindGroup({
    layout: pipeline.getBindGroupLayout(0),
    entries: [
      { binding: 0, resource: { buffer: inBuf } },
      { binding: 1, resource: { buffer: outBuf } },
    ],
  });
  const encoder = device.createCommandEncoder();
  const pass = encoder.beginComputePass();
  pass.setPipeline(pipeline);
  pass.setBindGroup(0, bindGroup);
  pass.dispatchWorkgroups(Math.ceil(items / 64));
  pass.end();
  encoder.copyBufferToBuffer(outBuf, 0, readBuf, 0, outBytes);
  device.queue.submit([encoder.finish()]);
  await readBuf.mapAsync(GPUMapMode.READ);
  const out = new Uint32Array(readBuf.getMappedRange().slice(0));
  readBuf.unmap();
  for (const b of [inBuf, outBuf, readBuf]) b.destroy();
  return out;
}
