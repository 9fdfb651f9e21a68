import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import type { MachineInfo } from '../../src/bench/machine.js';
import type { ReportInput } from '../../src/bench/report/html-report.js';
import { writeReport } from '../../src/bench/report/html-report.js';
import { PALETTE } from '../../src/bench/report/svg.js';
import { colourCounts, decodePng, type Pixels } from '../helpers/png-pixels.js';

const run = promisify(execFile);
const CLI = new URL('../../dist/src/cli/main.js', import.meta.url).pathname;
const CHROMIUM = '/usr/bin/chromium';
const WIDTH = 1200;
const HEIGHT = 1600;

const tmpDirs: string[] = [];
function tmp(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tmpDirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of tmpDirs) rmSync(dir, { recursive: true, force: true });
});

/** Renders a page in headless Chromium (a fresh profile, no network chatter) and decodes the screenshot. */
async function screenshot(page: string): Promise<{ file: string; pixels: Pixels }> {
  const dir = tmp('report-shot-');
  const file = join(dir, 'shot.png');
  await run(
    CHROMIUM,
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--hide-scrollbars',
      // Colours land in the PNG exactly as written in the SVG, so the test can look for them.
      '--force-color-profile=srgb',
      `--user-data-dir=${join(dir, 'profile')}`,
      `--screenshot=${file}`,
      `--window-size=${WIDTH},${HEIGHT}`,
      `file://${page}`,
    ],
    { timeout: 120_000 },
  );
  return { file, pixels: decodePng(readFileSync(file)) };
}

/** The screenshot is the window's size, far from blank, and shows each of the first `n` chart colours. */
function expectChartsDrawn({ file, pixels }: { file: string; pixels: Pixels }, n: number, minPixelsPerColour: number): void {
  expect(statSync(file).size).toBeGreaterThan(20_000);
  expect([pixels.width, pixels.height]).toEqual([WIDTH, HEIGHT]);
  const counts = colourCounts(pixels);
  // Text antialiasing alone gives dozens of greys; a blank or failed page gives a handful of colours.
  expect(counts.size).toBeGreaterThan(100);
  expect(Math.max(...counts.values())).toBeLessThan(0.97 * WIDTH * HEIGHT);
  for (const colour of PALETTE.slice(0, n).map((c) => c.toLowerCase())) expect(counts.get(colour) ?? 0, colour).toBeGreaterThan(minPixelsPerColour);
}

describe.skipIf(!existsSync(CHROMIUM))('bench report in headless Chromium', () => {
  it('evm-accel bench --report writes a page whose charts render (a real quick run: kernels on cpu-js, one block)', async () => {
    const out = tmp('bench-report-');
    const dir = join(out, 'report');
    const args = ['bench', '--quick', '--backend', 'cpu-js', '--max-batch', '256', '--out', out, '--report', dir];
    const { stdout } = await run('node', [CLI, ...args], { maxBuffer: 64 << 20 });
    expect(stdout).toContain(`report: ${join(dir, 'report.html')}`);
    for (const f of ['report.html', 'keccak.svg', 'ecrecover.svg', 'blocks.svg', 'results.json']) expect(existsSync(join(dir, f)), f).toBe(true);
    const results = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as ReportInput;
    expect(Object.keys(results).sort()).toEqual(['blocks', 'ecrecover', 'keccak']);
    expect(results.blocks!.rows[0]!.parallel[0]!.workers).toBe(2);
    // Keccak: evm-accel cpu-js, @noble/hashes, hash-wasm, as lines with markers.
    expectChartsDrawn(await screenshot(join(dir, 'report.html')), 3, 30);
  });

  it('the block speed-up chart renders its bars', async () => {
    const machine: MachineInfo = { hostname: 'h', platform: 'linux', cpu: 'CPU', cores: 4, memoryGiB: 8, node: 'v20', devices: [] };
    const input: ReportInput = {
      blocks: {
        machine,
        rows: ['19000000', '19000001', '17034870'].map((block, i) => ({
          block,
          txs: 120 + i,
          sequentialMs: 800 + 50 * i,
          parallel: [1, 2, 4].map((workers) => ({ workers, ms: (800 + 50 * i) / (0.9 + 0.45 * (workers - 1)), reExecutions: workers - 1 })),
        })),
      },
    };
    const page = writeReport(tmp('bench-report-'), input);
    expectChartsDrawn(await screenshot(page), 3, 1000);
  });
});
