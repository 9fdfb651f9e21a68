import { readdirSync } from 'node:fs';
import { bytesToHex } from '@ethereumjs/util';
import { loadFixture, type BlockFixture } from '../../src/evm/fixture.js';
import type { BlockOutcome } from '../../src/evm/outcome.js';

/** The built blocks (test/fixtures/built, made by test/helpers/built-blocks), by block number. */
export const BUILT_DIR = new URL('../fixtures/built/', import.meta.url).pathname;

export const BUILT_BLOCKS: readonly string[] = readdirSync(BUILT_DIR)
  .filter((f) => f.endsWith('.json.gz'))
  .sort((a, b) => parseInt(a, 10) - parseInt(b, 10))
  .map((f) => f.slice(0, -'.json.gz'.length));

export function loadBuilt(name: string): Promise<BlockFixture> {
  return loadFixture(`${BUILT_DIR}${name}.json.gz`);
}

/** What runBlock and the header commit to, as comparable hex. */
export function outcomeSummary(o: BlockOutcome) {
  return {
    stateRoot: bytesToHex(o.stateRoot),
    receiptsRoot: bytesToHex(o.receiptsRoot),
    requestsHash: o.requestsHash && bytesToHex(o.requestsHash),
    gasUsed: o.gasUsed.toString(),
    logsBloom: bytesToHex(o.logsBloom),
  };
}
