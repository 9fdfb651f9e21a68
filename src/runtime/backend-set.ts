import { BACKEND_FACTORIES } from '../backends/registry.js';
import type { Backend, BackendFactoryOptions } from './backend.js';
import { CalibrationCache } from './calibration-cache.js';
import { CalibrationCancelled, calibrateBackend } from './calibration.js';
import { BackendUnavailableError } from './errors.js';
import { recordFault, recordSuccess, type HealthPolicy } from './health.js';
import { attach, isEmulated, isHost, placeholder, setCalibration, type RoutedBackend } from './routed-backend.js';
import type { BackendName } from './types.js';

export interface BackendSetOptions {
  /** false: open everything before resolving, measure nothing, keep the given order. */
  calibrate: boolean;
  cache: CalibrationCache | null;
  policy: HealthPolicy;
}

/**
 * Cached figures of a hardware backend older than this are used at once and measured again in the
 * background. A figure taken while the machine was busy can be many times too slow, and a backend
 * that routing then never picks is never timed again: on the development machine a cached
 * cpu-native Keccak line 300× too slow (measured under a test suite's load) sent every Keccak batch
 * to cpu-js for as long as the cache kept it (30 days).
 */
const REFRESH_AFTER_MS = 3600_000;

/**
 * The backends of one accelerator and their life: opening, calibration (the host CPU backends
 * before the accelerator is handed out, devices in the background, figures from the per-machine
 * cache where it has them), probes of backends taken out of rotation, and closing.
 *
 * Measurements run one at a time, host first, so that they do not skew one another. Emulated
 * devices beside a hardware backend with the same kernels are not measured unless asked
 * (`ready({ all: true })`): routing never picks them first, and measuring SwiftShader costs tens
 * of seconds of CPU.
 */
export class BackendSet {
  private closed = false;
  private measuring: Promise<void> = Promise.resolve();
  private readonly cacheKeys = new Map<RoutedBackend, string>();

  private constructor(
    readonly entries: RoutedBackend[],
    private readonly o: BackendSetOptions,
  ) {}

  /** Opens the named backends through the registry. */
  static async open(names: BackendName[], factoryOptions: BackendFactoryOptions, o: BackendSetOptions): Promise<BackendSet> {
    const set = new BackendSet(names.map(placeholder), o);
    await set.start(async (e) => {
      try {
        set.attach(e, await BACKEND_FACTORIES[e.info.name](factoryOptions));
      } catch (err) {
        const reason = err instanceof BackendUnavailableError ? err.reason : err instanceof Error ? err.message : String(err);
        e.info = { name: e.info.name, device: '-', kind: 'software', status: 'unavailable', kernels: [], reason };
      }
    });
    return set;
  }

  /** Takes backends the caller opened, in the given order. */
  static async adopt(backends: Backend[], o: BackendSetOptions): Promise<BackendSet> {
    const set = new BackendSet(backends.map((b) => placeholder(b.name)), o);
    await set.start(async (e) => set.attach(e, backends[set.entries.indexOf(e)]!));
    return set;
  }

  private attach(e: RoutedBackend, backend: Backend): void {
    attach(e, backend);
    this.cacheKeys.set(e, CalibrationCache.key(e.info));
    if (!this.o.calibrate) e.info.status = 'ready';
  }

  /**
   * Opens and calibrates the host backends and resolves; the devices are opened after that (their
   * drivers load on this thread, which the caller should have first) and calibrated in the background.
   */
  private async start(open: (e: RoutedBackend) => Promise<void>): Promise<void> {
    if (!this.o.calibrate) {
      await Promise.all(this.entries.map(open));
      return;
    }
    const host = this.entries.filter((e) => isHost(e.info.name));
    const devices = this.entries.filter((e) => !isHost(e.info.name));
    const hostOpened = new Map(host.map((e) => [e, open(e)]));
    for (const e of host) this.track(e, this.serially(() => hostOpened.get(e)!.then(() => this.calibrate(e, false))));
    const hostDone = Promise.all(host.map((e) => e.pending));
    const afterHost = hostDone.then(() => new Promise<void>((r) => setImmediate(r)));
    for (const e of devices) {
      const opened = afterHost.then(() => open(e));
      this.track(e, this.serially(() => opened.then(() => this.calibrate(e, false))));
    }
    await hostDone;
  }

  /**
   * Waits for everything under way in the background; with `all`, then measures the backends
   * left unmeasured (emulated devices beside hardware ones).
   */
  async ready(all: boolean): Promise<void> {
    await this.settled();
    if (!all || !this.o.calibrate) return;
    for (const e of this.entries) {
      if (e.backend && e.info.status === 'ready' && !e.info.calibration) this.track(e, this.serially(() => this.calibrate(e, true)));
    }
    await this.settled();
  }

  /** Starts a probe of every backend whose back-off has run out (called on each dispatch). */
  probeDue(now = Date.now()): void {
    if (this.closed) return;
    for (const e of this.entries) {
      if (e.backend && e.info.status === 'failed' && !e.pending && e.health.retryAt <= now) {
        this.track(e, this.serially(() => this.probe(e)));
      }
    }
  }

  /** Stops background work (after the step under way) and closes every backend. */
  async close(): Promise<void> {
    this.closed = true;
    await this.settled();
    await Promise.all(this.entries.map((e) => e.backend?.close()));
  }

  private async settled(): Promise<void> {
    for (;;) {
      const pending = this.entries.map((e) => e.pending).filter((p) => p !== null);
      if (pending.length === 0) return;
      await Promise.all(pending);
    }
  }

  /** Calibrates a backend: from the cache, deferred (see the class), or measured, retried up to the fault limit. */
  private async calibrate(e: RoutedBackend, force: boolean): Promise<void> {
    if (!e.backend || e.info.status === 'unavailable' || this.closed) return;
    const key = this.cacheKeys.get(e)!;
    const cached = this.o.cache?.load(key);
    if (cached) {
      setCalibration(e, cached.models, 'cache', cached.measuredAt);
      e.info.status = 'ready';
      // Tracked anew: the caller (the accelerator's start) waits for the work it began, not this.
      if (e.info.kind === 'hardware' && Date.now() - Date.parse(cached.measuredAt) > REFRESH_AFTER_MS) {
        this.track(e, this.serially(() => this.refresh(e)));
      }
      return;
    }
    if (!force && isEmulated(e) && this.hardwareCovers(e)) {
      e.info.status = 'ready';
      return;
    }
    while (e.info.status !== 'failed') {
      if (await this.measure(e, 'calibration')) return;
    }
  }

  /** Measures a backend that is in rotation on cached figures again (see {@link REFRESH_AFTER_MS}). */
  private async refresh(e: RoutedBackend): Promise<void> {
    if (!this.closed && e.info.status === 'ready') await this.measure(e, 'recalibration');
  }

  /** A backend taken out gets one measurement after its back-off: in again if it passes. */
  private async probe(e: RoutedBackend): Promise<void> {
    if (!this.closed) await this.measure(e, 'probe');
  }

  /** Measures (checking every answer); true when the backend is in rotation after it. */
  private async measure(e: RoutedBackend, what: string): Promise<boolean> {
    try {
      const models = await calibrateBackend(e.backend!, e.info.kernels, () => this.closed);
      const measuredAt = new Date().toISOString();
      setCalibration(e, models, 'measured', measuredAt);
      recordSuccess(e);
      e.info.status = 'ready';
      delete e.info.reason;
      await this.o.cache?.save(this.cacheKeys.get(e)!, { measuredAt, models });
      return true;
    } catch (err) {
      if (err instanceof CalibrationCancelled) return true;
      recordFault(e, `${what}: ${err instanceof Error ? err.message : String(err)}`, false, this.o.policy);
      return false;
    }
  }

  /** Whether every kernel of `e` has a hardware backend in rotation. */
  private hardwareCovers(e: RoutedBackend): boolean {
    return e.info.kernels.every((k) =>
      this.entries.some((h) => h !== e && h.info.status === 'ready' && h.info.kind === 'hardware' && h.info.kernels.includes(k)),
    );
  }

  /** Runs measurements one after another. */
  private serially(step: () => Promise<void>): Promise<void> {
    const run = this.measuring.then(step);
    this.measuring = run.catch(() => undefined);
    return run;
  }

  private track(e: RoutedBackend, work: Promise<void>): void {
    const tracked: Promise<void> = work
      .catch(() => undefined)
      .finally(() => {
        if (e.pending === tracked) e.pending = null;
      });
    e.pending = tracked;
  }
}
