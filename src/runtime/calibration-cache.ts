import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { packageRoot } from '../package-root.js';
import { fromKernelCalibration, toKernelCalibration, type CostModel } from './cost-model.js';
import type { BackendInfo, KernelCalibration, KernelName } from './types.js';

const FORMAT = 'evm-accel-calibration/1';
/** Older figures are measured again: drivers, firmware and load change. */
const MAX_AGE_MS = 30 * 24 * 3600 * 1000;

/** Figures for one backend as the cache holds them. */
export interface CachedCalibration {
  measuredAt: string;
  models: Partial<Record<KernelName, CostModel>>;
}

interface CacheFile {
  format: typeof FORMAT;
  entries: Record<string, { measuredAt: string; kernels: Partial<Record<KernelName, KernelCalibration>> }>;
}

/** `$XDG_CACHE_HOME/evm-accel/calibration.json`, or under `~/.cache` without XDG_CACHE_HOME. */
export function defaultCalibrationCachePath(): string {
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'evm-accel', 'calibration.json');
}

let version: string | undefined;
function packageVersion(): string {
  if (version === undefined) {
    try {
      version = String((JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version?: unknown }).version);
    } catch {
      version = 'unknown';
    }
  }
  return version;
}

/**
 * The per-machine calibration cache: each backend's cost lines keyed by what determines them
 * (backend, device and its details, evm-accel, Node and CPU architecture), so a later process
 * starts routing at once. A missing, corrupt, foreign or stale file or entry is ignored; write
 * failures (read-only home) are too: the cache only saves time.
 */
export class CalibrationCache {
  private writes: Promise<void> = Promise.resolve();

  constructor(readonly path: string) {}

  /** The key of a backend as described when it was opened (before any fault changes its details). */
  static key(info: Pick<BackendInfo, 'name' | 'device' | 'details'>): string {
    return JSON.stringify([info.name, info.device, info.details ?? {}, packageVersion(), process.version, process.arch]);
  }

  load(key: string, now = Date.now()): CachedCalibration | undefined {
    const entry = this.read()?.entries[key];
    if (!entry || typeof entry !== 'object' || typeof entry.measuredAt !== 'string') return undefined;
    const at = Date.parse(entry.measuredAt);
    if (!(now - at < MAX_AGE_MS && at <= now)) return undefined;
    const models: Partial<Record<KernelName, CostModel>> = {};
    for (const k of ['keccak256', 'ecrecover'] as const) {
      if (entry.kernels?.[k] === undefined) continue;
      const m = fromKernelCalibration(entry.kernels[k]);
      if (!m) return undefined;
      models[k] = m;
    }
    return Object.keys(models).length ? { measuredAt: entry.measuredAt, models } : undefined;
  }

  /** Merges one backend's figures into the file (written whole and renamed into place). */
  save(key: string, cal: CachedCalibration): Promise<void> {
    this.writes = this.writes.then(() => {
      try {
        const file: CacheFile = this.read() ?? { format: FORMAT, entries: {} };
        const kernels: Partial<Record<KernelName, KernelCalibration>> = {};
        for (const [k, m] of Object.entries(cal.models) as [KernelName, CostModel][]) kernels[k] = toKernelCalibration(m);
        file.entries[key] = { measuredAt: cal.measuredAt, kernels };
        mkdirSync(dirname(this.path), { recursive: true });
        const tmp = `${this.path}.${process.pid}.tmp`;
        writeFileSync(tmp, JSON.stringify(file, null, 1));
        renameSync(tmp, this.path);
      } catch {
        // Read-only or full file system: the next process measures again.
      }
    });
    return this.writes;
  }

  private read(): CacheFile | undefined {
    try {
      const parsed = JSON.parse(readFileSync(this.path, 'utf8')) as Partial<CacheFile> | null;
      if (parsed?.format !== FORMAT || parsed.entries === null || typeof parsed.entries !== 'object') return undefined;
      return parsed as CacheFile;
    } catch {
      return undefined;
    }
  }
}
