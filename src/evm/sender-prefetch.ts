import type { Block } from '@ethereumjs/block';
import type { Signature } from '../runtime/types.js';
import { TxError } from './errors.js';
import { transactionSignatures, type SenderRecovery } from './senders.js';

/**
 * Recovers the senders of blocks still to come while the current one executes, the signatures of
 * several blocks in one accelerator batch (where a GPU's large batches pay). A block's failure (a
 * signature that recovers nothing) is kept for that block: it surfaces when the block is asked
 * for, as the TxError {@link recoverSenders} would throw, and never fails its neighbours.
 */
export class SenderPrefetcher {
  private readonly pending = new WeakMap<Block, Promise<Uint8Array>>();

  constructor(private readonly accel: SenderRecovery) {}

  /** Starts recovering the senders of `blocks`, in one recovery batch. */
  prefetch(blocks: readonly Block[]): void {
    const todo = blocks.filter((b) => !this.pending.has(b));
    if (todo.length === 0) return;
    const all = this.recover(todo);
    todo.forEach((block, i) => {
      const p = all.then((per) => per[i]!).then((r) => (r instanceof Error ? Promise.reject(r) : r));
      p.catch(() => {}); // surfaces when the block is asked for
      this.pending.set(block, p);
    });
  }

  /** The senders of `block` (20 bytes per transaction), prefetched or recovered now. */
  senders(block: Block): Promise<Uint8Array> {
    this.prefetch([block]);
    return this.pending.get(block)!;
  }

  private async recover(blocks: readonly Block[]): Promise<(Uint8Array | Error)[]> {
    const sigs = await Promise.all(blocks.map((b) => transactionSignatures(b, this.accel).catch((e: unknown) => (e instanceof Error ? e : new Error(String(e))))));
    const flat: Signature[] = sigs.flatMap((s) => (s instanceof Error ? [] : s));
    const addrs = await this.accel.recoverAddresses(flat);
    let start = 0;
    return blocks.map((block, b) => {
      const s = sigs[b]!;
      if (s instanceof Error) return s;
      const mine = addrs.slice(start, (start += s.length));
      const out = new Uint8Array(20 * s.length);
      for (let i = 0; i < s.length; i++) {
        const a = mine[i];
        if (!a) return new TxError(i, block.transactions[i]!, 'invalid signature: no public key recovers from it');
        out.set(a, 20 * i);
      }
      return out;
    });
  }
}
