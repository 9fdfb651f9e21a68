import { equalsBytes, KECCAK256_NULL, KECCAK256_RLP } from '@ethereumjs/util';
import type { Log } from '@ethereumjs/evm';
import type { WriteSet } from './mv-memory.js';
import type { TxOutcome } from './protocol.js';
import type { LazyRead, ReadRecord } from './read-set.js';
import type { AccountKey, StateKey } from './state-key.js';
import type { StateValue } from './state-value.js';

/**
 * A compact binary encoding of what crosses threads per transaction — write sets, read sets,
 * outcomes — written once into shared memory instead of being structured-cloned to every thread.
 * Keys travel as their own characters (one length byte, then Latin-1), so a new kind of key needs
 * nothing here.
 */

const enum Tag {
  Null,
  Cleared,
  Storage,
  Account,
  Funded,
  FundedEoa,
  SenderTerms,
}

/** An account's code hash and storage root are usually the empty ones: flag them instead of writing 64 bytes. */
const CODE_EMPTY = 1;
const ROOT_EMPTY = 2;

/** Appends to a growing byte buffer. */
export class ByteWriter {
  private buf: Buffer;
  private view: DataView;
  pos = 0;

  constructor(initial = 1024) {
    this.buf = Buffer.allocUnsafe(initial);
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
  }

  /** Starts over, keeping the buffer. */
  reset(): this {
    this.pos = 0;
    return this;
  }

  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
    this.view = new DataView(next.buffer, next.byteOffset, next.byteLength);
  }

  u8(v: number): void {
    this.room(1);
    this.buf[this.pos++] = v;
  }

  u32(v: number): void {
    this.room(4);
    this.view.setUint32(this.pos, v, true);
    this.pos += 4;
  }

  i32(v: number): void {
    this.room(4);
    this.view.setInt32(this.pos, v, true);
    this.pos += 4;
  }

  f64(v: number): void {
    this.room(8);
    this.view.setFloat64(this.pos, v, true);
    this.pos += 8;
  }

  /** Writes a u32 placeholder; returns where, for {@link patchU32}. */
  mark(): number {
    const at = this.pos;
    this.u32(0);
    return at;
  }

  patchU32(at: number, v: number): void {
    this.view.setUint32(at, v, true);
  }

  raw(b: Uint8Array): void {
    this.room(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  bytes(b: Uint8Array): void {
    this.u32(b.length);
    this.raw(b);
  }

  /** A Latin-1 string of at most 255 characters (keys, hex). */
  short(s: string): void {
    this.room(1 + s.length);
    this.buf[this.pos++] = s.length;
    this.buf.write(s, this.pos, 'latin1');
    this.pos += s.length;
  }

  /** Any string, UTF-8. */
  str(s: string): void {
    const b = Buffer.from(s, 'utf8');
    this.bytes(b);
  }

  /** A signed bigint: sign and magnitude in hex digits. */
  big(v: bigint): void {
    if (v < 0n) {
      this.u8(1);
      this.short((-v).toString(16));
    } else {
      this.u8(0);
      this.short(v.toString(16));
    }
  }

  /** The bytes written so far (a view of the buffer: copy before writing again). */
  view8(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }
}

/** Reads what a {@link ByteWriter} wrote, from a plain or shared buffer. */
export class ByteReader {
  private readonly buf: Buffer;
  private readonly view: DataView;

  constructor(
    bytes: Uint8Array,
    public pos = 0,
  ) {
    this.buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  u8(): number {
    return this.buf[this.pos++]!;
  }

  u32(): number {
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }

  i32(): number {
    const v = this.view.getInt32(this.pos, true);
    this.pos += 4;
    return v;
  }

  f64(): number {
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  /** `n` bytes, copied out (never a view of shared memory). */
  raw(n: number): Uint8Array {
    const out = new Uint8Array(n);
    out.set(this.buf.subarray(this.pos, this.pos + n));
    this.pos += n;
    return out;
  }

  bytes(): Uint8Array {
    return this.raw(this.u32());
  }

  short(): string {
    const n = this.u8();
    const s = this.buf.toString('latin1', this.pos, this.pos + n);
    this.pos += n;
    return s;
  }

  str(): string {
    const n = this.u32();
    const s = this.buf.toString('utf8', this.pos, this.pos + n);
    this.pos += n;
    return s;
  }

  big(): bigint {
    const negative = this.u8() === 1;
    const v = BigInt('0x' + this.short());
    return negative ? -v : v;
  }
}

export function writeValue(w: ByteWriter, v: StateValue): void {
  if (v === null) return w.u8(Tag.Null);
  if (v === true) return w.u8(Tag.Cleared);
  if (v instanceof Uint8Array) {
    w.u8(Tag.Storage);
    w.u8(v.length);
    return w.raw(v);
  }
  w.u8(Tag.Account);
  w.big(v.nonce);
  w.big(v.balance);
  const codeEmpty = equalsBytes(v.codeHash, KECCAK256_NULL);
  const rootEmpty = equalsBytes(v.storageRoot, KECCAK256_RLP);
  w.u8((codeEmpty ? CODE_EMPTY : 0) | (rootEmpty ? ROOT_EMPTY : 0));
  if (!codeEmpty) w.raw(v.codeHash);
  if (!rootEmpty) w.raw(v.storageRoot);
}

export function readValue(r: ByteReader): StateValue {
  return readTagged(r, r.u8()) as StateValue;
}

function readTagged(r: ByteReader, tag: number): StateValue | LazyRead {
  switch (tag) {
    case Tag.Null:
      return null;
    case Tag.Cleared:
      return true;
    case Tag.Storage:
      return r.raw(r.u8());
    case Tag.Account: {
      const nonce = r.big();
      const balance = r.big();
      const flags = r.u8();
      const codeHash = flags & CODE_EMPTY ? KECCAK256_NULL : r.raw(32);
      const storageRoot = flags & ROOT_EMPTY ? KECCAK256_RLP : r.raw(32);
      return { nonce, balance, codeHash, storageRoot };
    }
    case Tag.Funded:
      return 'funded';
    case Tag.FundedEoa:
      return 'funded-eoa';
    case Tag.SenderTerms: {
      const nonce = r.big();
      return { nonce, minBalance: r.big() };
    }
  }
  throw new Error(`codec: unknown value tag ${tag}`);
}

function writeSeen(w: ByteWriter, seen: StateValue | LazyRead): void {
  if (seen === 'funded') return w.u8(Tag.Funded);
  if (seen === 'funded-eoa') return w.u8(Tag.FundedEoa);
  if (typeof seen === 'object' && seen !== null && 'minBalance' in seen) {
    w.u8(Tag.SenderTerms);
    w.big(seen.nonce);
    return w.big(seen.minBalance);
  }
  writeValue(w, seen);
}

export function writeWriteSet(w: ByteWriter, ws: WriteSet): void {
  w.u32(ws.values.length);
  for (const [k, v] of ws.values) {
    w.short(k);
    writeValue(w, v);
  }
  w.u32(ws.deltas.length);
  for (const [k, d] of ws.deltas) {
    w.short(k);
    w.big(d.balance);
    w.big(d.nonce);
  }
  w.u32(ws.codes.length);
  for (const [hash, code] of ws.codes) {
    w.short(hash);
    w.bytes(code);
  }
}

export function readWriteSet(r: ByteReader): WriteSet {
  const values: WriteSet['values'] = new Array(r.u32());
  for (let i = 0; i < values.length; i++) values[i] = [r.short() as StateKey, readValue(r)];
  const deltas: WriteSet['deltas'] = new Array(r.u32());
  for (let i = 0; i < deltas.length; i++) {
    const key = r.short() as AccountKey;
    const balance = r.big();
    deltas[i] = [key, { balance, nonce: r.big() }];
  }
  const codes: WriteSet['codes'] = new Array(r.u32());
  for (let i = 0; i < codes.length; i++) codes[i] = [r.short(), r.bytes()];
  return { values, deltas, codes };
}

export function writeReads(w: ByteWriter, reads: Iterable<ReadRecord>, count: number): void {
  w.u32(count);
  for (const [k, seen] of reads) {
    w.short(k);
    writeSeen(w, seen);
  }
}

export function readReads(r: ByteReader): ReadRecord[] {
  const out: ReadRecord[] = new Array(r.u32());
  for (let i = 0; i < out.length; i++) out[i] = [r.short() as StateKey, readTagged(r, r.u8())];
  return out;
}

const HAS_ERROR = 1;
const HAS_BLOB_GAS = 2;
const HAS_CREATED = 4;

export function writeOutcome(w: ByteWriter, o: TxOutcome): void {
  w.u8((o.exceptionError !== undefined ? HAS_ERROR : 0) | (o.blobGasUsed !== undefined ? HAS_BLOB_GAS : 0) | (o.createdAddress !== undefined ? HAS_CREATED : 0));
  w.big(o.totalGasSpent);
  w.big(o.blockGasSpent);
  w.big(o.amountSpent);
  w.big(o.minerValue);
  w.big(o.gasRefund);
  w.u8(o.status);
  if (o.exceptionError !== undefined) w.str(o.exceptionError);
  if (o.blobGasUsed !== undefined) w.big(o.blobGasUsed);
  if (o.createdAddress !== undefined) w.short(o.createdAddress);
  w.raw(o.bloom);
  w.bytes(o.returnValue);
  w.u32(o.logs.length);
  for (const [address, topics, data] of o.logs) {
    w.raw(address);
    w.u8(topics.length);
    for (const t of topics) w.raw(t);
    w.bytes(data);
  }
}

export function readOutcome(r: ByteReader): TxOutcome {
  const flags = r.u8();
  const o: TxOutcome = {
    totalGasSpent: r.big(),
    blockGasSpent: r.big(),
    amountSpent: r.big(),
    minerValue: r.big(),
    gasRefund: r.big(),
    status: r.u8() as 0 | 1,
    logs: [],
    bloom: new Uint8Array(),
    returnValue: new Uint8Array(),
  };
  if (flags & HAS_ERROR) o.exceptionError = r.str();
  if (flags & HAS_BLOB_GAS) o.blobGasUsed = r.big();
  if (flags & HAS_CREATED) o.createdAddress = r.short();
  o.bloom = r.raw(256);
  o.returnValue = r.bytes();
  const logs: Log[] = new Array(r.u32());
  for (let i = 0; i < logs.length; i++) {
    const address = r.raw(20);
    const topics: Uint8Array[] = new Array(r.u8());
    for (let t = 0; t < topics.length; t++) topics[t] = r.raw(32);
    logs[i] = [address, topics, r.bytes()];
  }
  o.logs = logs;
  return o;
}
