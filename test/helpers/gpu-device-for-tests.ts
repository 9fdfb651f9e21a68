/// <reference types="@webgpu/types" />
import { dawnInstance, loadDawn } from '../../src/backends/webgpu/dawn.js';
import { GpuContext, type GpuContextOptions } from '../../src/backends/webgpu/device.js';
import { adapterChoiceFromEnv, prepareVulkan } from '../../src/backends/webgpu/vulkan-environment.js';
import { useSwiftShaderIfUnset } from './swiftshader.js';

/**
 * A WebGPU device for the shader suites: Dawn through the npm `webgpu` package, on SwiftShader
 * unless the environment picks a Vulkan driver (EVM_ACCEL_SWIFTSHADER=0: the machine's own GPU).
 */
export async function gpuDeviceForTests(requiredLimits: Record<string, number> = {}): Promise<GPUDevice> {
  useSwiftShaderIfUnset();
  // Vulkan set up as GpuContext.acquire sets it up (Dawn reads the environment when it starts).
  await loadDawn();
  prepareVulkan(adapterChoiceFromEnv());
  // The library's own instance, kept for the process (see dawnInstance for why it must be).
  const adapter = await (await dawnInstance([])).requestAdapter();
  if (!adapter) throw new Error('no WebGPU adapter (is SwiftShader installed?)');
  return adapter.requestDevice({ requiredLimits });
}

/** A GpuContext for the kernels' suites, on SwiftShader unless the environment picks a driver (as above). */
export async function gpuContextForTests(opts: GpuContextOptions = {}): Promise<GpuContext> {
  useSwiftShaderIfUnset();
  return GpuContext.acquire(opts);
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
