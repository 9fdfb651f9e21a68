import type { StateKey } from './state-key.js';
import type { StateValue } from './state-value.js';

/** Where a {@link BaseStateCache} fetches what it does not hold. */
export interface BaseFetcher {
  state(key: StateKey): Promise<StateValue>;
  /** Code by hash; `address` names an account of the pre-state that holds it. */
  code(address: string, codeHash: string): Promise<Uint8Array>;
}

/**
 * The pre-block state one thread has seen: each key and code fetched once, concurrent requests
 * for one key sharing the fetch. The main thread holds one over the block's state source; a worker
 * holds one over its snapshot or over requests to the main thread.
 */
export class BaseStateCache {
  private readonly values = new Map<StateKey, StateValue>();
  private readonly pending = new Map<StateKey, Promise<StateValue>>();
  private readonly codes = new Map<string, Promise<Uint8Array>>();

  constructor(private readonly fetch: BaseFetcher) {}

  /** The pre-block value of `key`: at once where it is known, else once fetched. */
  get(key: StateKey): StateValue | Promise<StateValue> {
    const v = this.values.get(key);
    if (v !== undefined) return v;
    let p = this.pending.get(key);
    if (!p) {
      p = this.fetch.state(key).then(
        (value) => {
          this.values.set(key, value);
          this.pending.delete(key);
          return value;
        },
        (e: unknown) => {
          this.pending.delete(key);
          throw e;
        },
      );
      this.pending.set(key, p);
    }
    return p;
  }

  /** The pre-block value of `key` where it is already known. */
  peek(key: StateKey): StateValue | undefined {
    return this.values.get(key);
  }

  /** Code by hash, fetched once. */
  code(address: string, codeHash: string): Promise<Uint8Array> {
    let c = this.codes.get(codeHash);
    if (!c) {
      c = this.fetch.code(address, codeHash);
      this.codes.set(codeHash, c);
    }
    return c;
  }
}
