import { Common } from '@ethereumjs/common';
import { paramsTx } from '@ethereumjs/tx';

/**
 * A Common to decode many transactions of one block with. Each ethereumjs transaction constructor
 * copies the Common it is given and merges the transaction parameters into the copy again: a JSON
 * round trip of every EIP's entry and a rebuild of the whole parameter cache, per transaction.
 * With the EVM's parameters merged in (a worker's Common, shared with its VM) that cost 0.2–0.3 ms
 * per transaction — more than executing a plain transfer — and much of the worker's garbage.
 *
 * The Common returned hands every transaction one copy of `common` that already holds the
 * transaction parameters, and skips merging them again (merging another set still works, on the
 * Common it is called on). It must only decode transactions of `common`'s hardfork: the
 * transactions share that copy.
 */
export function txDecodingCommon(common: Common): Common {
  const shared = common.copy();
  shared.updateParams(paramsTx);
  // Not bound: a copy of `shared` inherits the override and merges into itself.
  shared.updateParams = function (this: Common, params) {
    if (params !== paramsTx) Common.prototype.updateParams.call(this, params);
  };
  const decoding = Object.create(shared) as Common;
  decoding.copy = () => shared;
  return decoding;
}
