import { bytesToHex, hexToBytes, type KZG, type PrefixedHexString } from '@ethereumjs/util';

/** Where a KZG came from: the native Rust library (prebuilt, about 2 s to load) or WASM c-kzg (10–45 s). */
export type KzgLoader = 'node-eth-kzg' | 'kzg-wasm';

/** A loaded KZG (the official trusted setup) and the loader it came from. */
export interface LoadedKzg {
  kzg: KZG;
  loader: KzgLoader;
}

/** The dynamic import's shape: the package is CommonJS, its exports under `default` or at the top. */
interface NodeEthKzgModule {
  DasContextJs: { create(o: { usePrecomp: boolean }): NodeEthKzgContext };
}

/** The part of @crate-crypto/node-eth-kzg's context the KZG interface uses. */
interface NodeEthKzgContext {
  blobToKzgCommitment(blob: Uint8Array): Uint8Array;
  computeBlobKzgProof(blob: Uint8Array, commitment: Uint8Array): Uint8Array;
  verifyKzgProof(commitment: Uint8Array, z: Uint8Array, y: Uint8Array, proof: Uint8Array): boolean;
  verifyBlobKzgProofBatch(blobs: Uint8Array[], commitments: Uint8Array[], proofs: Uint8Array[]): boolean;
  computeCells(blob: Uint8Array): Uint8Array[];
  computeCellsAndKzgProofs(blob: Uint8Array): { cells: Uint8Array[]; proofs: Uint8Array[] };
  recoverCellsAndKzgProofs(indices: number[], cells: Uint8Array[]): { cells: Uint8Array[]; proofs: Uint8Array[] };
  verifyCellKzgProofBatch(commitments: Uint8Array[], indices: number[], cells: Uint8Array[], proofs: Uint8Array[]): boolean;
}

const bytes = (hex: string) => hexToBytes(hex as PrefixedHexString);
const hexes = (xs: Uint8Array[]) => xs.map((x) => bytesToHex(x));

/** A verification that rejects its input answers false, as kzg-wasm's does (the precompile's outcome is the same either way). */
function falseOnBadInput(verify: () => boolean): boolean {
  try {
    return verify();
  } catch {
    return false;
  }
}

/**
 * @crate-crypto/node-eth-kzg behind ethereumjs's KZG interface, answering as kzg-wasm does. Throws
 * where the package has no prebuilt binary for this platform.
 */
export async function loadNodeEthKzg(): Promise<KZG> {
  const mod = (await import('@crate-crypto/node-eth-kzg')) as unknown as NodeEthKzgModule & { default?: NodeEthKzgModule };
  // Without the precomputed tables: they take seconds more to build and only speed up cell proofs.
  const ctx = (mod.default ?? mod).DasContextJs.create({ usePrecomp: false });
  return {
    blobToKzgCommitment: (blob) => bytesToHex(ctx.blobToKzgCommitment(bytes(blob))),
    computeBlobProof: (blob, commitment) => bytesToHex(ctx.computeBlobKzgProof(bytes(blob), bytes(commitment))),
    verifyProof: (commitment, z, y, proof) => falseOnBadInput(() => ctx.verifyKzgProof(bytes(commitment), bytes(z), bytes(y), bytes(proof))),
    verifyBlobProofBatch: (blobs, commitments, proofs) =>
      falseOnBadInput(() => ctx.verifyBlobKzgProofBatch(blobs.map(bytes), commitments.map(bytes), proofs.map(bytes))),
    computeCells: (blob) => hexes(ctx.computeCells(bytes(blob))),
    computeCellsAndProofs: (blob) => {
      const r = ctx.computeCellsAndKzgProofs(bytes(blob));
      return [hexes(r.cells), hexes(r.proofs)];
    },
    recoverCellsAndProofs: (indices, cells) => {
      const r = ctx.recoverCellsAndKzgProofs(indices, cells.map(bytes));
      return [hexes(r.cells), hexes(r.proofs)];
    },
    verifyCellKzgProofBatch: (commitments, indices, cells, proofs) =>
      falseOnBadInput(() => ctx.verifyCellKzgProofBatch(commitments.map(bytes), indices, cells.map(bytes), proofs.map(bytes))),
  };
}

/** kzg-wasm (c-kzg compiled to WASM): runs everywhere, loads in 10–45 s. */
export async function loadKzgWasm(): Promise<KZG> {
  return (await import('kzg-wasm')).loadKZG();
}

/**
 * The fastest KZG this platform has: the native node-eth-kzg where its prebuilt binary installed,
 * else kzg-wasm. Both carry the official trusted setup and agree on every answer
 * (test/e2e/evm-kzg.test.ts).
 */
export async function loadFastestKzg(): Promise<LoadedKzg> {
  try {
    return { kzg: await loadNodeEthKzg(), loader: 'node-eth-kzg' };
  } catch {
    return { kzg: await loadKzgWasm(), loader: 'kzg-wasm' };
  }
}
