import { BackendUnavailableError } from '../../runtime/errors.js';
import { oneLine } from './vulkan-environment.js';

let dawn: Promise<typeof import('webgpu')> | undefined;

/**
 * Loads Dawn's Node binding (the optional peer dependency `webgpu`) and installs the WebGPU
 * globals (GPUBufferUsage, GPUMapMode, ...) it requires on globalThis, the only global this
 * backend sets. Loaded on first use, so that a machine without it gets BackendUnavailableError
 * with a one-line reason and every other backend works as before.
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
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ERR_MODULE_NOT_FOUND' && /'webgpu'/.test(err.message)) {
      throw new BackendUnavailableError('webgpu', 'the optional peer dependency `webgpu` (Dawn) is not installed: npm install webgpu');
    }
    throw new BackendUnavailableError('webgpu', `Dawn's Node binding (npm webgpu) did not load: ${oneLine(err.message)}`);
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
