import type { KernelCalibration } from './types.js';

/**
 * A backend's cost for one kernel as a line: a batch of n items takes `latencyMs + n × msPerItem`.
 * The fixed part is what makes a GPU lose a block-sized batch that it wins by far at a million.
 */
export interface CostModel {
  latencyMs: number;
  msPerItem: number;
}

/** Estimated milliseconds for a batch of `n` items. */
export function estimateMs(m: CostModel, n: number): number {
  return m.latencyMs + n * m.msPerItem;
}

/**
 * The line through a small-batch and a large-batch timing. Noise can make the large batch look
 * cheaper per item than the small one costs in total; then the small timing is all latency.
 */
export function fitCostModel(small: { n: number; ms: number }, large: { n: number; ms: number }): CostModel {
  const slope = (large.ms - small.ms) / (large.n - small.n);
  if (!(slope > 0)) return { latencyMs: small.ms, msPerItem: Math.max(large.ms - small.ms, 0) / large.n || 1e-9 };
  return { latencyMs: Math.max(0, small.ms - small.n * slope), msPerItem: slope };
}

/** Weight of a new measurement in the running per-item cost. */
const EMA = 0.3;

/**
 * Folds a real batch's timing into the per-item cost (latency stays as calibrated: a large batch
 * measures throughput, and small ones vary too much with load to move it).
 */
export function refineCostModel(m: CostModel, n: number, ms: number): CostModel {
  const perItem = Math.max(ms - m.latencyMs, 0) / n;
  return { latencyMs: m.latencyMs, msPerItem: m.msPerItem * (1 - EMA) + perItem * EMA };
}

/** The public form of a model. */
export function toKernelCalibration(m: CostModel): KernelCalibration {
  return { latencyMs: m.latencyMs, itemsPerSecond: 1000 / m.msPerItem };
}

/** A model from its public form, or undefined if the figures are not usable. */
export function fromKernelCalibration(c: unknown): CostModel | undefined {
  if (c === null || typeof c !== 'object') return undefined;
  const { latencyMs, itemsPerSecond } = c as Record<string, unknown>;
  if (typeof latencyMs !== 'number' || typeof itemsPerSecond !== 'number') return undefined;
  if (!(latencyMs >= 0 && Number.isFinite(latencyMs) && itemsPerSecond > 0 && Number.isFinite(itemsPerSecond))) return undefined;
  return { latencyMs, msPerItem: 1000 / itemsPerSecond };
}
