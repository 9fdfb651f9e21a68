import type { AcceleratorStats, BackendName, BackendStats } from './types.js';
import { ALL_BACKENDS } from './types.js';

export function emptyBackendStats(): BackendStats {
  return { items: { keccak256: 0, ecrecover: 0 }, batches: 0, timeMs: 0, fallbacks: 0, errors: 0, checkedItems: 0 };
}

export function emptyStats(): AcceleratorStats {
  const backends = {} as Record<BackendName, BackendStats>;
  for (const name of ALL_BACKENDS) backends[name] = emptyBackendStats();
  return { backends, calls: 0, dispatches: 0 };
}

/** A deep copy, so callers can keep a snapshot while the counters move on. */
export function snapshotStats(s: AcceleratorStats): AcceleratorStats {
  return structuredClone(s);
}
