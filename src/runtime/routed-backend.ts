import type { Backend } from './backend.js';
import { toKernelCalibration, type CostModel } from './cost-model.js';
import { emptyBackendStats } from './stats.js';
import type { BackendCalibration, BackendInfo, BackendName, BackendStats, KernelName } from './types.js';

/** A backend as the runtime tracks it: its device, counters, cost lines and health. */
export interface RoutedBackend {
  /** Null until opened, and for a backend that never came up. */
  backend: Backend | null;
  info: BackendInfo;
  stats: BackendStats;
  /** Running cost lines per kernel: calibration's, refined by real batches. Empty: not calibrated. */
  models: Partial<Record<KernelName, CostModel>>;
  /** Cost lines as calibrated (or cached); the verification rule is evaluated on these, so it is stable. */
  calibrated: Partial<Record<KernelName, CostModel>>;
  health: { consecutiveFaults: number; outs: number; retryAt: number };
  /** Settles when the background opening, calibration or probe under way ends; null when none is. */
  pending: Promise<void> | null;
}

/** The host CPU backends: calibrated before createAccelerator resolves (they take milliseconds). */
const HOST: readonly BackendName[] = ['cpu-native', 'cpu-js'];

export function isHost(name: BackendName): boolean {
  return HOST.includes(name);
}

/**
 * An emulated device (SwiftShader, lavapipe, the Verilator model): software that runs on the
 * host's cores while posing as a device. It never takes work from a hardware backend. The JS
 * reference is software too but emulates nothing: it competes on its measured cost.
 */
export function isEmulated(e: RoutedBackend): boolean {
  return e.info.kind === 'software' && e.info.name !== 'cpu-js';
}

/** An entry for a backend not opened yet. */
export function placeholder(name: BackendName): RoutedBackend {
  return {
    backend: null,
    info: { name, device: '-', kind: 'software', status: 'calibrating', kernels: [] },
    stats: emptyBackendStats(),
    models: {},
    calibrated: {},
    health: { consecutiveFaults: 0, outs: 0, retryAt: 0 },
    pending: null,
  };
}

/** Fills an entry from an opened backend (status stays as the caller sets it). */
export function attach(entry: RoutedBackend, backend: Backend): void {
  entry.backend = backend;
  entry.info = { ...backend.describe(), status: entry.info.status };
}

/** Installs calibrated cost lines and reports them in the entry's info. */
export function setCalibration(
  entry: RoutedBackend,
  models: Partial<Record<KernelName, CostModel>>,
  source: BackendCalibration['source'],
  measuredAt: string,
): void {
  entry.models = { ...models };
  entry.calibrated = { ...models };
  const kernels: BackendCalibration['kernels'] = {};
  const rates: Partial<Record<KernelName, number>> = {};
  for (const [k, m] of Object.entries(models) as [KernelName, CostModel][]) {
    kernels[k] = toKernelCalibration(m);
    rates[k] = kernels[k].itemsPerSecond;
  }
  entry.info.calibration = { source, measuredAt, kernels };
  entry.info.calibratedRate = rates;
}
