import type { TxReceipt } from '@ethereumjs/vm';
import { bytesToHex, computeVersionedHash, concatBytes, hexToBytes, type KZG } from '@ethereumjs/util';
import nodeEthKzg from '@crate-crypto/node-eth-kzg';
import { beforeAll, describe, expect, it } from 'vitest';
import { FixtureBlockHashes, KZG_ON_DEMAND } from '../../src/evm/chain.js';
import { executeBlock } from '../../src/evm/executor.js';
import { loadFastestKzg, loadKzgWasm, loadNodeEthKzg } from '../../src/evm/kzg.js';
import { stateManagerFromPreState } from '../../src/evm/pre-state.js';
import { runBlockSequential } from '../../src/evm/sequential.js';
import { InMemoryStateSource } from '../../src/evm/state-source.js';
import { addressOf, SyntheticBuilder, testKey } from '../../src/evm/synthetic.js';
import { outcomeSummary } from '../helpers/built-fixtures.js';
import { useNativeAccelerator, useWorkerPools } from '../helpers/executor-fixtures.js';

// The native KZG (node-eth-kzg) that blocks load on demand, checked against kzg-wasm, the loader it
// replaced (c-kzg compiled to WASM): the same commitments and proofs, and the same verdict on valid,
// tampered and malformed inputs (malformed: false, never a throw, as kzg-wasm answers). kzg-wasm
// writes hex in upper case, node-eth-kzg in lower: the same bytes.

const FIELD_ELEMENTS = 4096;

/** A blob of canonical field elements (each below the BLS modulus: top byte < 0x73) from a seed. */
function blob(seed: number): Uint8Array {
  const b = new Uint8Array(FIELD_ELEMENTS * 32);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < b.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = i % 32 === 0 ? (x >>> 0) % 0x73 : x & 0xff;
  }
  return b;
}

const hex = (b: Uint8Array) => bytesToHex(b);
const lower = (xs: string[]) => xs.map((x) => x.toLowerCase());
const flip = (h: string, at = 10) => h.slice(0, at) + (h[at] === '0' ? '1' : '0') + h.slice(at + 1);

const ctx = nodeEthKzg.DasContextJs.create({ usePrecomp: false });

describe('KZG loaders', () => {
  let native: KZG;
  let wasm: KZG;

  beforeAll(async () => {
    [native, wasm] = await Promise.all([loadNodeEthKzg(), loadKzgWasm()]);
  });

  it('the fastest loader here is the native one', async () => {
    expect((await loadFastestKzg()).loader).toBe('node-eth-kzg');
  });

  it('give the same commitments and blob proofs, and both accept them', () => {
    for (const seed of [1, 2, 3]) {
      const b = hex(blob(seed));
      const commitment = native.blobToKzgCommitment(b);
      expect(commitment).toBe(wasm.blobToKzgCommitment(b).toLowerCase());
      const proof = native.computeBlobProof(b, commitment);
      expect(proof).toBe(wasm.computeBlobProof(b, commitment).toLowerCase());
      expect(native.verifyBlobProofBatch([b], [commitment], [proof])).toBe(true);
      expect(wasm.verifyBlobProofBatch([b], [commitment], [proof])).toBe(true);
      const other = wasm.computeBlobProof(hex(blob(seed + 100)), wasm.blobToKzgCommitment(hex(blob(seed + 100))));
      expect(native.verifyBlobProofBatch([b], [commitment], [other])).toBe(false);
      expect(wasm.verifyBlobProofBatch([b], [commitment], [other])).toBe(false);
    }
  });

  it('agree on every point-evaluation verdict: valid, tampered, malformed', () => {
    const b = blob(7);
    const commitment = hex(ctx.blobToKzgCommitment(b));
    const cases: [string, string, string, string, string][] = [];
    for (const zSeed of [1, 2, 3]) {
      const z = blob(zSeed + 50).subarray(0, 32);
      const [proof, y] = ctx.computeKzgProof(b, z) as [Uint8Array, Uint8Array];
      const [Z, Y, P] = [hex(z), hex(y), hex(proof)];
      cases.push(
        ['valid', commitment, Z, Y, P],
        ['another y', commitment, Z, flip(Y, 40), P],
        ['another z', commitment, flip(Z, 40), Y, P],
        ['another proof', commitment, Z, Y, hex(ctx.computeKzgProof(b, blob(zSeed + 60).subarray(0, 32))[0]!)],
        ['z not a field element', commitment, '0x' + 'ff'.repeat(32), Y, P],
        ['y not a field element', commitment, Z, '0x' + 'ff'.repeat(32), P],
        ['commitment not a point', flip(commitment, 60), Z, Y, P],
        ['proof not a point', commitment, Z, Y, flip(P, 60)],
      );
    }
    // The zero blob: commitment and proof the point at infinity, y = 0 at any z.
    const infinity = '0xc0' + '00'.repeat(47);
    cases.push(['zero polynomial', infinity, '0x' + '00'.repeat(31) + '05', '0x' + '00'.repeat(32), infinity]);
    for (const [what, c, z, y, p] of cases) {
      const got = native.verifyProof(c, z, y, p);
      expect(got, what).toBe(wasm.verifyProof(c, z, y, p));
      expect(got, what).toBe(what === 'valid' || what === 'zero polynomial');
    }
  });

  it('give the same cells and cell proofs', () => {
    const b = hex(blob(9));
    const [cells, proofs] = native.computeCellsAndProofs(b);
    const [wasmCells, wasmProofs] = wasm.computeCellsAndProofs(b);
    expect(cells).toEqual(lower(wasmCells));
    expect(proofs).toEqual(lower(wasmProofs));
    const commitment = native.blobToKzgCommitment(b);
    const some = [0, 5, 127];
    const args = [some.map(() => commitment), some, some.map((i) => cells[i]!), some.map((i) => proofs[i]!)] as const;
    expect(native.verifyCellKzgProofBatch(...args)).toBe(true);
    expect(wasm.verifyCellKzgProofBatch(...args)).toBe(true);
  });
});

const POINT_EVALUATION = '0x' + '00'.repeat(19) + '0a';
const status = (r: TxReceipt) => ('status' in r ? r.status : 'pre-Byzantium');

describe('a block calling the point-evaluation precompile', () => {
  const accel = useNativeAccelerator();
  const pools = useWorkerPools([1]);

  it('loads the KZG on demand and verifies for real: inline, in a worker and in plain runBlock alike', async () => {
    const b = blob(11);
    const commitment = ctx.blobToKzgCommitment(b);
    const z = blob(12).subarray(0, 32);
    const [proof, y] = ctx.computeKzgProof(b, z) as [Uint8Array, Uint8Array];
    const versioned = hexToBytes(computeVersionedHash(bytesToHex(commitment), 1));
    const wrongY = hexToBytes(flip(bytesToHex(y), 40) as `0x${string}`);
    const caller = testKey('point evaluation');
    const s = new SyntheticBuilder('prague').fund(addressOf(caller), 10n ** 18n);
    s.tx(caller, { to: POINT_EVALUATION, data: concatBytes(versioned, z, y, commitment, proof), gasLimit: 200_000n });
    s.tx(caller, { to: POINT_EVALUATION, data: concatBytes(versioned, z, wrongY, commitment, proof), gasLimit: 200_000n });
    const { block, preState } = s.build();

    // Nothing in this process has loaded the on-demand KZG yet: the first run finds it missing.
    expect(KZG_ON_DEMAND.loaded).toBeUndefined();
    const seq = await runBlockSequential(block, await stateManagerFromPreState(preState), new FixtureBlockHashes({}));
    expect(KZG_ON_DEMAND.loaded).toBeDefined();
    // The valid proof passes, the other fails and takes all its gas: a real verification.
    expect(seq.receipts.map(status)).toEqual([1, 0]);
    for (const mode of ['inline', 'parallel'] as const) {
      const target = await stateManagerFromPreState(preState);
      const source = new InMemoryStateSource({ preState, blockHashes: {} });
      const r = await executeBlock(block, source, { target, pool: pools.get(1)!, accelerator: accel(), mode });
      expect(r.receipts.map(status), mode).toEqual([1, 0]);
      expect(outcomeSummary(r), mode).toEqual(outcomeSummary(seq));
    }
  });
});
