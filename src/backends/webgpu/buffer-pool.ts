/** Where a GrowableBuffer allocates (the GpuContext, which tracks every buffer for its teardown). */
export interface BufferAllocator {
  createBuffer(descriptor: GPUBufferDescriptor): GPUBuffer;
  release(buffer: GPUBuffer): void;
}

/**
 * A GPU buffer reused across batches that is only reallocated when a batch needs more than it
 * holds, then to the next power of two, so a steady stream of similar batches allocates nothing.
 */
export class GrowableBuffer {
  private buf: GPUBuffer | undefined;
  /** Bumped on each reallocation, so bind groups that name the buffer know to be rebuilt. */
  generation = 0;

  constructor(
    private readonly allocator: BufferAllocator,
    private readonly label: string,
    private readonly usage: GPUBufferUsageFlags,
    /** Largest size the device accepts for this buffer (binding or buffer limit). */
    private readonly maxSize: number,
  ) {}

  /** The buffer, at least `size` bytes long (and at least 16). */
  ensure(size: number): GPUBuffer {
    if (this.buf && this.buf.size >= size) return this.buf;
    if (size > this.maxSize) throw new RangeError(`${this.label}: ${size} bytes exceed the device limit ${this.maxSize}`);
    if (this.buf) this.allocator.release(this.buf);
    const rounded = Math.min(this.maxSize, 2 ** Math.ceil(Math.log2(Math.max(16, size))));
    this.buf = this.allocator.createBuffer({ label: this.label, size: Math.max(size, rounded), usage: this.usage });
    this.generation++;
    return this.buf;
  }

  destroy(): void {
    if (this.buf) this.allocator.release(this.buf);
    this.buf = undefined;
  }
}

/**
 * A fixed set of reusable slots (each a set of buffers for one batch in flight), handed out
 * first-come first-served. With two slots, batch k+1 is uploaded and dispatched while batch k is
 * being computed and read back.
 */
export class SlotPool<T> {
  private readonly free: T[];
  private readonly queue: ((slot: T) => void)[] = [];

  constructor(private readonly slots: readonly T[]) {
    this.free = [...slots];
  }

  /** Waits for a free slot. */
  acquire(): Promise<T> {
    const slot = this.free.pop();
    if (slot !== undefined) return Promise.resolve(slot);
    return new Promise((resolve) => this.queue.push(resolve));
  }

  /** Returns a slot to the pool or to the longest waiter. */
  release(slot: T): void {
    const next = this.queue.shift();
    if (next) next(slot);
    else this.free.push(slot);
  }

  /** Every slot, free or not (for disposal). */
  all(): readonly T[] {
    return this.slots;
  }
}
