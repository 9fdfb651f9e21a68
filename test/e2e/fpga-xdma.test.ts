import { execFileSync } from 'node:child_process';
import { createReadStream, createWriteStream, mkdtempSync, rmSync, type ReadStream, type WriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { BACKEND_FACTORIES } from '../../src/backends/registry.js';
import { keccakReference } from '../../src/backends/cpu/js-backend.js';
import type { Backend } from '../../src/runtime/backend.js';
import { BackendFaultError } from '../../src/runtime/errors.js';
import { DIGEST_BYTES, packMessages } from '../../src/runtime/packing.js';

// The xdma transport of the C bridge against a fake card: the two XDMA character devices are
// FIFOs, and the card behind them is emulated here from the framing of evmaccel_fpga.h
// (144-byte block records in, 40-byte digest records out, digests by @noble/hashes).

const ROOT = new URL('../../', import.meta.url).pathname;
const BLOCK_RECORD = 144;
const FLAG_LAST = 1;
const FLAG_FIRST = 2;
/** EAF_CHECK_MISMATCH: XORed into the CRC of a digest the card's two cores disagreed on. */
const CHECK_MISMATCH = 0xffffffff;

/** A card on the far side of <dir>/fake_h2c_0 and <dir>/fake_c2h_0, with fault switches. */
class FakeCard {
  private pending = Buffer.alloc(0);
  private readonly ctx = new Map<number, Buffer[]>();
  /** Digests produced over the card's life (the index the fault switches count in). */
  digestsOut = 0;
  /** Index (over the card's life) of a digest to damage after its CRC was computed. */
  corruptAt = -1;
  /** Index of a digest never sent. */
  dropAt = -1;
  /** Index of a digest the card flags as one its duplicated cores disagreed on. */
  flagAt = -1;
  /** Blocks after which the card stops reading its input. */
  stallAfter = -1;
  blocksIn = 0;
  readonly input: ReadStream;
  readonly output: WriteStream;

  constructor(base: string) {
    this.input = createReadStream(`${base}_h2c_0`, { highWaterMark: BLOCK_RECORD * 16 });
    this.output = createWriteStream(`${base}_c2h_0`);
    this.input.on('data', (chunk) => this.take(chunk as Buffer));
    this.input.on('error', () => undefined);
    this.output.on('error', () => undefined);
  }

  resume(): void {
    this.stallAfter = -1;
    this.input.resume();
    this.take(Buffer.alloc(0));
  }

  private take(chunk: Buffer): void {
    this.pending = Buffer.concat([this.pending, chunk]);
    while (this.pending.length >= BLOCK_RECORD) {
      if (this.stallAfter >= 0 && this.blocksIn >= this.stallAfter) {
        this.input.pause();
        return;
      }
      const rec = this.pending.subarray(0, BLOCK_RECORD);
      this.pending = this.pending.subarray(BLOCK_RECORD);
      this.blocksIn++;
      const tag = rec.readUInt32LE(0);
      const [c, flags, n] = [rec[4]!, rec[5]!, rec[6]!];
      const parts = flags & FLAG_FIRST ? [] : (this.ctx.get(c) ?? []);
      parts.push(Buffer.from(rec.subarray(8, 8 + n)));
      this.ctx.set(c, parts);
      if (flags & FLAG_LAST) this.emit(tag, keccakReference(Buffer.concat(parts)));
    }
  }

  private emit(tag: number, digest: Uint8Array): void {
    const k = this.digestsOut++;
    const out = Buffer.alloc(40);
    out.writeUInt32LE(tag, 0);
    out.set(digest, 8);
    out.writeUInt32LE(crc32(Buffer.concat([out.subarray(0, 4), out.subarray(8)])), 4);
    if (k === this.corruptAt) out[8 + 3]! ^= 0x10;
    if (k === this.flagAt) out.writeUInt32LE((out.readUInt32LE(4) ^ CHECK_MISMATCH) >>> 0, 4);
    if (k !== this.dropAt) this.output.write(out);
  }

  close(): void {
    this.input.destroy();
    this.output.destroy();
  }
}

let dir: string;
let card: FakeCard;
let backend: Backend;

beforeAll(async () => {
  execFileSync('make', ['-C', 'native'], { cwd: ROOT, stdio: 'inherit' });
  dir = mkdtempSync(join(tmpdir(), 'evm-accel-xdma-'));
  const base = join(dir, 'fake');
  execFileSync('mkfifo', [`${base}_h2c_0`, `${base}_c2h_0`]);
  card = new FakeCard(base);
  backend = await BACKEND_FACTORIES.fpga({ fpga: `xdma:${base},timeout-ms=400,clock-mhz=300` });
});

afterAll(async () => {
  await backend?.close();
  card?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function corpus(n: number, seed: number): Uint8Array[] {
  return Array.from({ length: n }, (_, i) => new Uint8Array((i * 97 + seed) % 700).map((_, j) => (i + j * seed) & 0xff));
}

function expectDigests(out: Uint8Array, msgs: Uint8Array[]): void {
  const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
  for (let i = 0; i < msgs.length; i++) {
    expect(hex(out.subarray(i * DIGEST_BYTES, (i + 1) * DIGEST_BYTES)), `message ${i}`).toBe(hex(keccakReference(msgs[i]!)));
  }
}

async function fault(msgs: Uint8Array[]): Promise<BackendFaultError> {
  const err = await backend.keccak256(packMessages(msgs)).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(BackendFaultError);
  return err as BackendFaultError;
}

test('describes the board', () => {
  const d = backend.describe();
  expect(d.kind).toBe('hardware');
  expect(d.details).toMatchObject({ transport: 'xdma', core: 'pipelined', check: 'duplicate', clock: '300 MHz', contexts: 32, lanes: 1 });
});

test('a batch streams through the card and back, matching @noble/hashes', async () => {
  const msgs = corpus(600, 3);
  expectDigests(await backend.keccak256(packMessages(msgs)), msgs);
});

test('a digest damaged on the way is caught by its CRC', async () => {
  card.corruptAt = card.digestsOut + 5;
  expect((await fault(corpus(40, 5))).message).toMatch(/EAF_E_CORRUPT/);
  const msgs = corpus(80, 7);
  expectDigests(await backend.keccak256(packMessages(msgs)), msgs);
});

test('a digest the card flags (its duplicated cores disagreed) is a core fault, not link damage', async () => {
  card.flagAt = card.digestsOut + 3;
  expect((await fault(corpus(40, 9))).message).toMatch(/EAF_E_CORE: core check: the card's duplicated cores disagreed on the digest for tag \d+/);
  const msgs = corpus(80, 10);
  expectDigests(await backend.keccak256(packMessages(msgs)), msgs);
});

test('a lost digest is caught by the count after the timeout', async () => {
  card.dropAt = card.digestsOut + 9;
  expect((await fault(corpus(40, 11))).message).toMatch(/EAF_E_DROPPED: dropped: 1 of 40/);
  const msgs = corpus(80, 13);
  expectDigests(await backend.keccak256(packMessages(msgs)), msgs);
});

test('a card that stops reading is a timeout; its leftovers do not leak into the next batch', async () => {
  card.stallAfter = card.blocksIn + 50;
  // Enough blocks to fill the FIFO (64 KiB) and stall the bridge's writer.
  expect((await fault(corpus(1200, 17))).message).toMatch(/EAF_E_TIMEOUT: timeout: the card stopped accepting/);
  card.resume();
  const msgs = corpus(300, 19);
  expectDigests(await backend.keccak256(packMessages(msgs)), msgs);
});
