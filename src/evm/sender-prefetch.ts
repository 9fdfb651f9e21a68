import type { Block } from '@ethereumjs/block';
import { recoverBlocksSignatures, type RecoveredSignatures, type SenderRecovery } from './senders.js';

/**
 * Recovers the senders (and EIP-7702 authorities) of blocks still to come while the current one
 * executes, the signatures of several blocks in one accelerator batch (where a GPU's large batches
 * pay). A block's failure (a signature that recovers nothing) is kept for that block: it surfaces
 * when the block is asked for, as the TxError {@link recoverSenders} would throw, and never fails
 * its neighbours.
 */
export class SenderPrefetcher {
  private readonly pending = new WeakMap<Block, Promise<RecoveredSignatures>>();

  constructor(private readonly accel: SenderRecovery) {}

  /** Starts recovering the senders of `blocks`, in one recovery batch. */
  prefetch(blocks: readonly Block[]): void {
    const todo = blocks.filter((b) => !this.pending.has(b));
    if (todo.length === 0) return;
    const all = recoverBlocksSignatures(todo, this.accel);
    todo.forEach((block, i) => {
      const p = all.then((per) => per[i]!).then((r) => (r instanceof Error ? Promise.reject(r) : r));
      p.catch(() => {}); // surfaces when the block is asked for
      this.pending.set(block, p);
    });
  }

  /** The senders of `block` (20 bytes per transaction), prefetched or recovered now. */
  async senders(block: Block): Promise<Uint8Array> {
    return (await this.signatures(block)).senders;
  }

  /** The senders and EIP-7702 authorities of `block`, prefetched or recovered now (what executeBlock takes). */
  signatures(block: Block): Promise<RecoveredSignatures> {
    this.prefetch([block]);
    return this.pending.get(block)!;
  }
}
