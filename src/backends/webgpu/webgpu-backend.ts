import type { Backend, BackendFactoryOptions } from '../../runtime/backend.js';
import { BackendUnavailableError } from '../../runtime/errors.js';

/** Placeholder until the backend lands: reports itself unavailable. */
export async function openWebGpu(_opts: BackendFactoryOptions): Promise<Backend> {
  throw new BackendUnavailableError('webgpu', 'not built in this version');
}
