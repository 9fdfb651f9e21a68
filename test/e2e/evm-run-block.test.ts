import { mkdtempSync, copyFileSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runBlock } from '../../src/cli/commands/run-block.js';

/** Runs the command with stdout captured; returns the exit code and the lines written. */
async function capture(argv: string[]): Promise<{ code: number; lines: string[] }> {
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  try {
    const code = await runBlock(argv);
    return { code, lines: out.split('\n').filter(Boolean) };
  } finally {
    spy.mockRestore();
  }
}

afterEach(() => vi.restoreAllMocks());

describe('evm-accel run-block', () => {
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
    expect(reports[0].checked).toEqual(['gasUsed', 'logsBloom']); // pre-Byzantium: receipts hold state roots
    expect(reports[1].checked).toEqual(['gasUsed', 'logsBloom', 'receiptsRoot']);
    expect(reports[1].receiptsRoot).toBe(reports[1].expectedReceiptsRoot);
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
    expect(r.mismatches.map((m: { field: string }) => m.field)).toEqual(['gasUsed']);
  });

  it('rejects bad arguments with exit 2', async () => {
    expect((await capture(['--workers', '0', 'x'])).code).toBe(2);
    expect((await capture(['test/fixtures/mainnet', '--backend', 'abacus'])).code).toBe(2);
    expect((await capture([])).code).toBe(2);
  });
});
