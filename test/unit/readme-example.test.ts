import { readFileSync, writeFileSync, rmSync } from 'node:fs';
import { expect, it, vi } from 'vitest';

// The README's API example is run as written, and its printed output checked against its comments.
it('the README API example runs and prints what it says', async () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const block = readme.split('<!-- example:api')[1]!.split('```ts\n')[1]!.split('```')[0]!;
  const file = new URL('./.readme-example.generated.ts', import.meta.url);
  writeFileSync(file, block);
  const logs: unknown[][] = [];
  const spy = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void logs.push(a));
  try {
    await import(file.href);
  } finally {
    spy.mockRestore();
    rmSync(file);
  }
  expect(logs[0]![0]).toBe('4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45');
  expect(logs[1]![0]).toBeNull();
  expect(logs[2]![0]).toContain('cpu-js: ready');
});
