import type { BackendName } from './types.js';

/** Malformed input: names the index of the bad item and what is wrong with it. */
export class InputError extends Error {
  override readonly name = 'InputError';
  constructor(
    /** Index of the offending item in the caller's array, or -1 for the array itself. */
    readonly index: number,
    readonly problem: string,
  ) {
    super(index >= 0 ? `item ${index}: ${problem}` : problem);
  }
}

/** A backend that was asked for cannot be used; says which and why. */
export class BackendUnavailableError extends Error {
  override readonly name = 'BackendUnavailableError';
  constructor(
    readonly backend: BackendName,
    readonly reason: string,
  ) {
    super(`backend ${backend} is unavailable: ${reason}`);
  }
}

/** A backend failed a batch (threw, timed out or returned a malformed result). */
export class BackendFaultError extends Error {
  override readonly name = 'BackendFaultError';
  constructor(
    readonly backend: BackendName,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`backend ${backend} failed: ${reason}`, options);
  }
}

/** Every backend that could run a batch failed it. */
export class AllBackendsFailedError extends Error {
  override readonly name = 'AllBackendsFailedError';
  constructor(readonly failures: BackendFaultError[]) {
    super(`every backend failed: ${failures.map((f) => f.message).join('; ')}`);
  }
}
