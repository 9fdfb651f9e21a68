import { mkdtempSync, copyFileSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runCommand } from '../../src/cli/run-command.js';

/** Runs the command with stdout captured; returns the exit code and the lines written. */
async function capture(argv: string[]): Promise<{ code: number; lines: string[] }> {
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  try {
    const code = await runCommand('run-block', argv);
    return { code, lines: out.split('\n').filter(Boolean) };
  } finally {
    spy.mockRestore();
  }
}

afterEach(() => vi.restoreAllMocks());

/** A named backend skips the calibration of every backend (WebGPU on SwiftShader takes seconds). */
const FAST = ['--backend', 'cpu-native'];

describe('evm-accel run-block', () => {
  it('replays built Prague and Osaka blocks, checking the requests hash and (whole pre-state) the state root', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'run-block-built-'));
    for (const n of ['22431084-prague-fork', '23935694-osaka-fork']) copyFileSync(`test/fixtures/built/${n}.json.gz`, join(dir, `${n}.json.gz`));
    const tampered = JSON.parse(gunzipSync(readFileSync('test/fixtures/built/22431085-prague.json.gz')).toString());
    tampered.block.requestsHash = `0x${'11'.repeat(32)}`;
    writeFileSync(join(dir, '22431085-prague.json.gz'), gzipSync(JSON.stringify(tampered)));
    const { code, lines } = await capture([dir, '--json', '--workers', '2', ...FAST]);
    expect(code).toBe(1);
    const [prague, tamperedReport, osaka] = lines.map((l) => JSON.parse(l));
    for (const r of [prague, osaka]) {
      expect(r.match).toBe(true);
      expect(r.checked).toEqual(expect.arrayContaining(['requestsHash', 'stateRoot', 'receiptsRoot', 'parentHash']));
      expect(r.unchecked.map((u: { field: string }) => u.field)).not.toContain('stateRoot');
    }
    expect(tamperedReport.mismatches.map((m: { field: string }) => m.field)).toEqual(expect.arrayContaining(['hash', 'requestsHash']));
  });

  it('replays a folder, one JSON line per block, exit 0 when every checkable field matches', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'run-block-'));
    for (const n of [46147, 4370000]) copyFileSync(`test/fixtures/mainnet/${n}.json.gz`, join(dir, `${n}.json.gz`));
    const { code, lines } = await capture([dir, '--json', '--workers', '2', '--sequential']);
    expect(code).toBe(0);
    const reports = lines.map((l) => JSON.parse(l));
    expect(reports.map((r) => r.number)).toEqual([46147, 4370000]);
    for (const r of reports) {
      expect(r.match).toBe(true);
      expect(r.gasUsed).toBe(r.expectedGasUsed);
      expect(r.logsBloom).toBe(r.expectedLogsBloom);
      expect(r.sequential.identical).toBe(true);
      expect(typeof r.ms).toBe('number');
      expect(typeof r.reExecutions).toBe('number');
    }
    const before = ['hash', 'transactionsRoot', 'transactions', 'sha3Uncles', 'senders'];
    expect(reports[0].checked).toEqual([...before, 'gasUsed', 'logsBloom']); // pre-Byzantium: receipts hold state roots
    expect(reports[1].checked).toEqual([...before, 'gasUsed', 'logsBloom', 'receiptsRoot']);
    expect(reports[1].receiptsRoot).toBe(reports[1].expectedReceiptsRoot);
    // What cannot be checked is said, never left out.
    const unchecked = (r: { unchecked: { field: string }[] }) => r.unchecked.map((u) => u.field);
    expect(unchecked(reports[0])).toEqual(expect.arrayContaining(['parentHash', 'receiptsRoot', 'stateRoot']));
    expect(unchecked(reports[1])).not.toContain('receiptsRoot');
    expect(unchecked(reports[1])).toContain('stateRoot');
  });

  it('checks withdrawalsRoot and blobGasUsed where the fork has them, and says why it cannot check what it cannot', async () => {
    const { code, lines } = await capture(['test/fixtures/mainnet/19929064.json.gz', '--json', '--workers', '2', ...FAST]);
    expect(code).toBe(0);
    const r = JSON.parse(lines[0]!);
    expect(r.checked).toEqual(expect.arrayContaining(['hash', 'withdrawalsRoot', 'blobGasUsed', 'receiptsRoot', 'senders']));
    expect(r.unchecked.find((u: { field: string }) => u.field === 'stateRoot').why).toMatch(/pre-state/);
    // The table says the same in words.
    const table = await capture(['test/fixtures/mainnet/19929064.json.gz', '--workers', '2', ...FAST]);
    expect(table.lines[0]).toMatch(/^✓ block 19929064/);
    expect(table.lines.join('\n')).toMatch(/checked: hash, .*withdrawalsRoot.*\n +not checkable: .*stateRoot \(/);
  });

  it('exits 1 and names the transaction when a fixture has a bad signature', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'run-block-bad-'));
    const fx = JSON.parse(gunzipSync(readFileSync('test/fixtures/mainnet/46147.json.gz')).toString());
    fx.block.transactions[0].s = '0x' + (BigInt(fx.block.transactions[0].s) - 1n).toString(16);
    writeFileSync(join(dir, '46147.json.gz'), gzipSync(JSON.stringify(fx)));
    const { code, lines } = await capture([join(dir, '46147.json.gz'), '--json', '--workers', '1']);
    expect(code).toBe(1);
    const r = JSON.parse(lines[0]!);
    expect(r.match).toBe(false);
    expect(r.error).toMatch(/^transaction 0 \(0x[0-9a-f]{64}\): bad signature/);
    // The signature is part of the transaction: its hash and the transactions root say so too.
    expect(r.mismatches.map((m: { field: string }) => m.field)).toEqual(['transactionsRoot', 'transactions']);
  });

  it('exits 1 when a header field does not match', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'run-block-hdr-'));
    const fx = JSON.parse(gunzipSync(readFileSync('test/fixtures/mainnet/46147.json.gz')).toString());
    fx.block.gasUsed = '0x5209';
    writeFileSync(join(dir, '46147.json.gz'), gzipSync(JSON.stringify(fx)));
    const { code, lines } = await capture([join(dir, '46147.json.gz'), '--json', '--workers', '1']);
    expect(code).toBe(1);
    const r = JSON.parse(lines[0]!);
    expect(r.match).toBe(false);
    // The hash binds the header field; execution says which one it is.
    expect(r.mismatches.map((m: { field: string }) => m.field)).toEqual(['hash', 'gasUsed']);
    // Before calling it invalid, the block was re-run with reference senders: both paths disagree.
    expect(r.recheck).toEqual({ disagreed: 'both', accelerated: 'gasUsed differ from the header', reference: 'gasUsed differ from the header' });
  });

  // Every header field is bound by the block hash; the roots the fixture can recompute are checked
  // on their own too. A tampered fixture never passes.
  describe.each([46147, 9068998, 19933122])('a tampered header field of block %i: exit 1, the failing check named', (n) => {
    const original = JSON.parse(gunzipSync(readFileSync(`test/fixtures/mainnet/${n}.json.gz`)).toString());
    const flip = (hex: string): string => hex.slice(0, -1) + (hex.endsWith('0') ? '1' : '0');
    const cases: [string, (b: Record<string, string>) => string, string[]][] = [
      ['stateRoot', (b) => (b['stateRoot'] = flip(b['stateRoot']!)), ['hash']],
      ['miner', (b) => (b['miner'] = flip(b['miner']!)), ['hash']],
      ['transactionsRoot', (b) => (b['transactionsRoot'] = flip(b['transactionsRoot']!)), ['hash', 'transactionsRoot']],
      ['hash', (b) => (b['hash'] = flip(b['hash']!)), ['hash']],
      ['baseFeePerGas', (b) => (b['baseFeePerGas'] = '0x' + (BigInt(b['baseFeePerGas'] ?? '0x0') + 1n).toString(16)), ['hash']],
    ];
    it.each(cases)('%s', async (field, tamper, named) => {
      const fx = structuredClone(original);
      tamper(fx.block);
      const dir = mkdtempSync(join(tmpdir(), 'run-block-tamper-'));
      writeFileSync(join(dir, `${n}.json.gz`), gzipSync(JSON.stringify(fx)));
      const { code, lines } = await capture([join(dir, `${n}.json.gz`), '--json', '--workers', '1', ...FAST]);
      expect(code).toBe(1);
      const r = JSON.parse(lines[0]!);
      expect(r.match).toBe(false);
      if (field === 'baseFeePerGas' && !('baseFeePerGas' in original.block)) {
        // Before London a header has no base fee: the block does not even build.
        expect(r.error).toMatch(/base fee/i);
      } else {
        expect(r.mismatches.map((m: { field: string }) => m.field)).toEqual(named);
      }
    });
  });

  it('a built fixture holds the whole world state: its state root and requests hash are checked, and a tampered one fails', async () => {
    const file = 'test/fixtures/built/22431085-prague.json.gz';
    const { code, lines } = await capture([file, '--json', '--workers', '2', ...FAST]);
    expect(code).toBe(0);
    const r = JSON.parse(lines[0]!);
    expect(r.checked).toEqual(expect.arrayContaining(['requestsHash', 'stateRoot', 'receiptsRoot', 'parentHash']));
    expect(r.unchecked.map((u: { field: string }) => u.field)).not.toContain('stateRoot');
    const original = JSON.parse(gunzipSync(readFileSync(file)).toString());
    for (const field of ['stateRoot', 'requestsHash']) {
      const fx = structuredClone(original);
      fx.block[field] = fx.block[field].slice(0, -1) + (fx.block[field].endsWith('0') ? '1' : '0');
      const dir = mkdtempSync(join(tmpdir(), 'run-block-built-'));
      writeFileSync(join(dir, '22431085.json.gz'), gzipSync(JSON.stringify(fx)));
      const bad = await capture([join(dir, '22431085.json.gz'), '--json', '--workers', '2', ...FAST]);
      expect(bad.code).toBe(1);
      expect(JSON.parse(bad.lines[0]!).mismatches.map((m: { field: string }) => m.field)).toEqual(['hash', field]);
    }
  });

  it('refuses a forced backend that is unavailable (exit 2), instead of relabelling a fall-back', async () => {
    const saved = process.env['EVM_ACCEL_FPGA'];
    delete process.env['EVM_ACCEL_FPGA'];
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const { code, lines } = await capture(['test/fixtures/mainnet/46147.json.gz', '--json', '--backend', 'fpga']);
      expect(code).toBe(2);
      expect(lines).toEqual([]);
      expect(String(err.mock.calls[0]?.[0])).toMatch(/backend fpga is unavailable: no FPGA target/);
    } finally {
      if (saved !== undefined) process.env['EVM_ACCEL_FPGA'] = saved;
    }
  });

  it('rejects bad arguments with exit 2', async () => {
    expect((await capture(['--workers', '0', 'x'])).code).toBe(2);
    expect((await capture(['test/fixtures/mainnet', '--backend', 'abacus'])).code).toBe(2);
    expect((await capture([])).code).toBe(2);
  });
});
