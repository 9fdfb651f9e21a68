import { genRequestsRoot, type Block } from '@ethereumjs/block';
import { Mainnet, type StateManagerInterface } from '@ethereumjs/common';
import { createEVM } from '@ethereumjs/evm';
import {
  bigIntToAddressBytes,
  bytesToBigInt,
  bytesToHex,
  CLRequest,
  CLRequestType,
  concatBytes,
  createAddressFromString,
  Address,
} from '@ethereumjs/util';
import type { TxReceipt } from '@ethereumjs/vm';
import { sha256 } from '@noble/hashes/sha2.js';
import { vmCommon } from '../vm-common.js';
import { chainConfig } from './common-spec.js';

/** The block's EIP-7685 execution requests and their hash, the header's `requestsHash`. */
export interface ExecutionRequests {
  /** Each request type's bytes (type byte ‖ data), in type order, empty ones included. */
  requests: Uint8Array[];
  requestsHash: Uint8Array;
}

const DEPOSIT_TOPIC = '0x649bbc62d0e31342afea4e5cd82d4049e7e1ee912fc0889aa790803be39038c5';
/** The DepositEvent's ABI layout: five dynamic `bytes`, at these offsets, of these sizes. */
const DEPOSIT_FIELDS = [
  [160, 48],
  [256, 32],
  [320, 8],
  [384, 96],
  [512, 8],
] as const;
const DEPOSIT_LOG_SIZE = 576;

/**
 * EIP-7685: gathers the block's requests after its last transaction, withdrawals and rewards, as
 * runBlock does: EIP-6110 deposits parsed from the deposit contract's logs in the receipts, then
 * the EIP-7002 withdrawal and EIP-7251 consolidation queues read by a system call each (an EVM
 * call from the system address with 30M gas, whose storage writes go into `target`). Undefined
 * before Prague. A deposit log of another layout makes the block invalid, as in runBlock.
 */
export async function executionRequests(block: Block, target: StateManagerInterface, receipts: readonly TxReceipt[]): Promise<ExecutionRequests | undefined> {
  const c = block.common;
  if (!c.isActivatedEIP(7685)) return undefined;
  const requests: CLRequest<CLRequestType>[] = [];
  if (c.isActivatedEIP(6110)) requests.push(depositRequests(chainConfig(c).depositContractAddress ?? Mainnet.depositContractAddress!, receipts));
  const common = vmCommon(block);
  if (c.isActivatedEIP(7002)) requests.push(await systemRequests(block, target, CLRequestType.Withdrawal, common.param('withdrawalRequestPredeployAddress')));
  if (c.isActivatedEIP(7251)) requests.push(await systemRequests(block, target, CLRequestType.Consolidation, common.param('consolidationRequestPredeployAddress')));
  const requestsHash = genRequestsRoot(requests, c.customCrypto.sha256 ?? sha256);
  return { requests: requests.map((r) => r.bytes), requestsHash };
}

function depositRequests(contract: string, receipts: readonly TxReceipt[]): CLRequest<typeof CLRequestType.Deposit> {
  const address = contract.toLowerCase();
  const parts: Uint8Array[] = [];
  for (const receipt of receipts) {
    for (const [logAddress, topics, data] of receipt.logs) {
      if (topics.length > 0 && bytesToHex(topics[0]!) === DEPOSIT_TOPIC && bytesToHex(logAddress) === address) parts.push(...depositFields(data));
    }
  }
  return new CLRequest(CLRequestType.Deposit, concatBytes(...parts));
}

/** pubkey, withdrawal credentials, amount, signature, index: the log's fields, checked against the layout. */
function depositFields(data: Uint8Array): Uint8Array[] {
  const word = (at: number) => bytesToBigInt(data.subarray(at, at + 32));
  const layoutHolds =
    data.length === DEPOSIT_LOG_SIZE && DEPOSIT_FIELDS.every(([offset, size], i) => word(32 * i) === BigInt(offset) && word(offset) === BigInt(size));
  if (!layoutHolds) throw new Error('invalid deposit log: unsupported data layout');
  return DEPOSIT_FIELDS.map(([offset, size]) => data.slice(offset + 32, offset + 32 + size));
}

/**
 * One system call to a request queue contract (nothing when no account is there): its return
 * data is the request list. The system address is put back as it was, as runBlock does.
 */
async function systemRequests<T extends CLRequestType>(block: Block, target: StateManagerInterface, type: T, contractParam: bigint): Promise<CLRequest<T>> {
  const common = vmCommon(block);
  const contract = new Address(bigIntToAddressBytes(contractParam));
  if ((await target.getAccount(contract)) === undefined) return new CLRequest(type, new Uint8Array());
  const systemAddress = createAddressFromString(bytesToHex(bigIntToAddressBytes(common.param('systemAddress'))));
  const systemAccount = await target.getAccount(systemAddress);
  const evm = await createEVM({ common, stateManager: target });
  const result = await evm.runCall({ caller: systemAddress, gasLimit: common.param('systemCallGasLimit'), to: contract });
  if (systemAccount === undefined) await target.deleteAccount(systemAddress);
  else await target.putAccount(systemAddress, systemAccount);
  return new CLRequest(type, result.execResult.returnValue);
}
