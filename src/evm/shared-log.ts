/**
 * An append-only log in shared memory with one writer and any number of readers: the writer
 * copies a record in, then publishes it by advancing the published length (an atomic store), so
 * a reader that loads the length sees whole records only. Records are 8-byte aligned, each
 * framed by its length. The buffer grows in place (a growable SharedArrayBuffer), so readers in
 * other threads keep their views.
 */
/** ES2024's growable SharedArrayBuffer (Node 20 has it; this project's TypeScript lib is ES2022). */
interface GrowableSharedArrayBuffer extends SharedArrayBuffer {
  readonly maxByteLength: number;
  grow(newLength: number): void;
}
const GrowableSharedArrayBuffer = SharedArrayBuffer as unknown as new (length: number, options: { maxByteLength: number }) => GrowableSharedArrayBuffer;

export class SharedLog {
  /** Published length in bytes, past the header. */
  private readonly header: Int32Array;
  private readonly data: Uint8Array;
  private readonly view: DataView;

  constructor(readonly buffer: GrowableSharedArrayBuffer) {
    this.header = new Int32Array(buffer, 0, 2);
    this.data = new Uint8Array(buffer, HEADER);
    this.view = new DataView(buffer, HEADER);
  }

  /** A new, empty log able to grow to `maxBytes`. */
  static create(initialBytes = 1 << 20, maxBytes = MAX_BYTES): SharedLog {
    return new SharedLog(new GrowableSharedArrayBuffer(initialBytes, { maxByteLength: maxBytes }));
  }

  /** Bytes published so far: records at offsets below this are whole. */
  get published(): number {
    return Atomics.load(this.header, 0);
  }

  /** A view of a log another thread created (from its {@link buffer}). */
  static attach(buffer: SharedArrayBuffer): SharedLog {
    return new SharedLog(buffer as GrowableSharedArrayBuffer);
  }

  /** Forgets every record (the writer, between blocks, when no reader is left). */
  reset(): void {
    Atomics.store(this.header, 0, 0);
  }

  /** Appends and publishes one record (writer only); returns its offset. */
  append(record: Uint8Array): number {
    const at = this.published;
    const end = at + 4 + record.length;
    const next = (end + 7) & ~7;
    if (HEADER + next > this.buffer.byteLength) this.grow(HEADER + next);
    this.view.setUint32(at, record.length, true);
    this.data.set(record, at + 4);
    Atomics.store(this.header, 0, next);
    return at;
  }

  /** The record at `offset` (a view of shared memory: decode it, do not keep it), and where the next one starts. */
  record(offset: number): { bytes: Uint8Array; next: number } {
    const length = this.view.getUint32(offset, true);
    return { bytes: this.data.subarray(offset + 4, offset + 4 + length), next: (offset + 4 + length + 7) & ~7 };
  }

  private grow(needed: number): void {
    if (needed > this.buffer.maxByteLength) throw new RangeError(`SharedLog: a block's records exceed ${this.buffer.maxByteLength} bytes`);
    this.buffer.grow(Math.min(this.buffer.maxByteLength, Math.max(needed, this.buffer.byteLength * 2)));
  }
}

const HEADER = 8;
/** Offsets must fit a packed location (see log-entry.ts): 2^25 words of 8 bytes. */
export const MAX_BYTES = 1 << 28;
