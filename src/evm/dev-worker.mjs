// Entry of an EVM worker when the executor runs from TypeScript sources (tests, `vitest`):
// worker threads do not go through vitest's transform, so TypeScript is stripped by a loader hook.
// Built code (dist/) starts worker-main.js directly and never loads this file.
import { register } from 'node:module';

register('./ts-hooks.mjs', import.meta.url);
await import('./worker-main.ts');
