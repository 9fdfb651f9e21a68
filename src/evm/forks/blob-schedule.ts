import { paramsBlock } from '@ethereumjs/block';
import type { Common } from '@ethereumjs/common';
import type { BlobSchedule } from '../fixture.js';

/** EIP-7840's blob schedule entry in force under `common`'s hardfork (blob parameters live in the block parameter set). */
export function blobSchedule(blockCommon: Common): BlobSchedule {
  const common = blockCommon.copy();
  common.updateParams(paramsBlock);
  const perBlob = common.param('blobGasPerBlob');
  const s = common.getBlobGasSchedule();
  return { target: Number(s.targetBlobGasPerBlock / perBlob), max: Number(s.maxBlobGasPerBlock / perBlob), baseFeeUpdateFraction: Number(s.blobGasPriceUpdateFraction) };
}
