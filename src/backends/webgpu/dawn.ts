import { BackendUnavailableError } from '../../runtime/errors.js';

let dawn: Promise<typeof import('webgpu')> | undefined;

/**
 * Loads Dawn's Node binding and installs the WebGPU globals (GPUBufferUsage, GPUMapMode, ...)
 * it requires on globalThis, the only global this backend sets. Loaded on first use, so that a
 * platform without the native binding gets BackendUnavailableError rather than a failed import.
 */
async function loadDawn(): Promise<typeof import('webgpu')> {
  dawn ??= import('webgpu').then((m) => {
    Object.assign(globalThis, m.globals);
    return m;
  });
  try {
    return await dawn;
  } catch (e) {
    dawn = undefined;
    throw new BackendUnavailableError('webgpu', `Dawn's Node binding (npm webgpu) did not load: ${(e as Error).message}`);
  }
}

/** Dawn instances by their toggles, each created on first use and kept until the process exits. */
const instances = new Map<string, GPU>();

/**
 * The process's Dawn instance for `flags`. An instance must outlive every adapter, device and
 * buffer made from it: when the garbage collector frees a dropped instance while objects made
 * from it are still referenced, the process later dies in Dawn (SIGSEGV, or std::system_error
 * from a destroyed mutex) — at a random point, usually at exit. So instances are never dropped;
 * a live instance does not keep Node from exiting (webgpu ≥ 0.6), and devices are destroyed by
 * their contexts as usual.
 */
export async function dawnInstance(flags: readonly string[]): Promise<GPU> {
  const { create } = await loadDawn();
  const key = flags.join('\n');
  let gpu = instances.get(key);
  if (gpu === undefined) {
    gpu = create([...flags]);
    instances.set(key, gpu);
  }
  return gpu;
}
