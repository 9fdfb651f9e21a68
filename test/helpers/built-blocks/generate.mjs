// Runs generate.ts from the TypeScript sources (the same loader hooks the EVM workers use in tests).
import { register } from 'node:module';

register('../../../src/evm/ts-hooks.mjs', import.meta.url);
await import('./generate.ts');
