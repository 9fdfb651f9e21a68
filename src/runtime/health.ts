import type { RoutedBackend } from './routed-backend.js';

/** Fault bookkeeping shared by batches, checks, calibration and probes. */
export interface HealthPolicy {
  /** Faults in a row after which a backend leaves rotation. */
  maxConsecutiveFaults: number;
  /** Wait before the first probe of a backend taken out; doubled each further time. */
  backoffMs: number;
}

/** The longest a backend taken out waits for its next probe. */
const MAX_BACKOFF_MS = 5 * 60_000;

/**
 * Counts a fault. `fallback`: a batch of the backend's was re-run elsewhere because of it (not so
 * for calibration, probe and checker faults). The third fault in a row takes the backend out of
 * rotation until a probe after the back-off shows it well again.
 */
export function recordFault(entry: RoutedBackend, reason: string, fallback: boolean, policy: HealthPolicy, now = Date.now()): void {
  entry.stats.errors++;
  if (fallback) entry.stats.fallbacks++;
  entry.stats.lastError = reason;
  const h = entry.health;
  h.consecutiveFaults++;
  if (h.consecutiveFaults < policy.maxConsecutiveFaults) return;
  h.outs++;
  const wait = Math.min(MAX_BACKOFF_MS, policy.backoffMs * 2 ** (h.outs - 1));
  h.retryAt = now + wait;
  entry.info.status = 'failed';
  entry.info.reason = `taken out of rotation after ${h.consecutiveFaults} faults in a row (probed again in ${wait < 1000 ? `${wait} ms` : `${Math.round(wait / 1000)} s`}); last: ${reason}`;
}

/** A batch, check or probe succeeded: the fault run is over. */
export function recordSuccess(entry: RoutedBackend): void {
  entry.health.consecutiveFaults = 0;
}
