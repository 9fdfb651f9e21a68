import type { BaseStateCache } from './base-cache.js';
import { ByteReader, ByteWriter, readValue, writeValue } from './codec.js';
import { SharedLog } from './shared-log.js';
import type { StateKey } from './state-key.js';
import type { StateValue } from './state-value.js';

const STATE = 0;
const CODE = 1;

/**
 * The pre-block state the main thread has fetched for workers, in shared memory: a worker that
 * misses a key looks here before asking, so each key crosses from the state source once per block,
 * not once per worker. The main thread is the one writer.
 */
export class SharedBaseLog {
  private readonly writer = new ByteWriter(256);
  private cursor = 0;

  constructor(readonly log: SharedLog) {}

  /** Publishes a value (main thread). */
  publishState(key: StateKey, value: StateValue): void {
    const w = this.writer.reset();
    w.u8(STATE);
    w.short(key);
    writeValue(w, value);
    this.log.append(w.view8());
  }

  /** Publishes code by hash (main thread). */
  publishCode(codeHash: string, code: Uint8Array): void {
    const w = this.writer.reset();
    w.u8(CODE);
    w.short(codeHash);
    w.bytes(code);
    this.log.append(w.view8());
  }

  /** Copies what was published since the last call into `cache` (a worker). */
  sync(cache: BaseStateCache): void {
    for (const end = this.log.published; this.cursor < end; ) {
      const { bytes, next } = this.log.record(this.cursor);
      const r = new ByteReader(bytes);
      if (r.u8() === STATE) cache.learn(r.short() as StateKey, readValue(r));
      else cache.learnCode(r.short(), r.bytes());
      this.cursor = next;
    }
  }
}
