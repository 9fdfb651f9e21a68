/**
 * A tiny EVM assembler for the built test blocks' contracts: opcodes by name, pushes sized to
 * their value, and labels resolved to PUSH2 jump targets. Enough for loops and branches without
 * hand-counting byte offsets.
 */
const OPCODES: Record<string, number> = {
  STOP: 0x00, ADD: 0x01, MUL: 0x02, SUB: 0x03, DIV: 0x04, MOD: 0x06, EXP: 0x0a,
  LT: 0x10, GT: 0x11, EQ: 0x14, ISZERO: 0x15, AND: 0x16, OR: 0x17, XOR: 0x18, NOT: 0x19, SHL: 0x1b, SHR: 0x1c, CLZ: 0x1e,
  KECCAK256: 0x20, ADDRESS: 0x30, BALANCE: 0x31, ORIGIN: 0x32, CALLER: 0x33, CALLVALUE: 0x34, CALLDATALOAD: 0x35,
  CALLDATASIZE: 0x36, CALLDATACOPY: 0x37, CODESIZE: 0x38, CODECOPY: 0x39, EXTCODESIZE: 0x3b, EXTCODECOPY: 0x3c, RETURNDATASIZE: 0x3d,
  RETURNDATACOPY: 0x3e, EXTCODEHASH: 0x3f, BLOCKHASH: 0x40, COINBASE: 0x41, TIMESTAMP: 0x42, NUMBER: 0x43,
  CHAINID: 0x46, SELFBALANCE: 0x47, BASEFEE: 0x48, BLOBHASH: 0x49, BLOBBASEFEE: 0x4a,
  POP: 0x50, MLOAD: 0x51, MSTORE: 0x52, MSTORE8: 0x53, SLOAD: 0x54, SSTORE: 0x55, JUMP: 0x56, JUMPI: 0x57,
  GAS: 0x5a, JUMPDEST: 0x5b, TLOAD: 0x5c, TSTORE: 0x5d, MCOPY: 0x5e, PUSH0: 0x5f,
  DUP1: 0x80, DUP2: 0x81, DUP3: 0x82, DUP4: 0x83, DUP5: 0x84, DUP6: 0x85, DUP7: 0x86, DUP8: 0x87,
  SWAP1: 0x90, SWAP2: 0x91, SWAP3: 0x92,
  LOG0: 0xa0, LOG1: 0xa1, LOG2: 0xa2, LOG3: 0xa3,
  CREATE: 0xf0, CALL: 0xf1, RETURN: 0xf3, DELEGATECALL: 0xf4, STATICCALL: 0xfa, REVERT: 0xfd, INVALID: 0xfe, SELFDESTRUCT: 0xff,
};

/** One item of a program: an opcode name, a value to push, a label definition (`:name`) or reference (`@name`). */
export type Asm = string | bigint | number;

/**
 * Assembles `program`. Numbers and bigints become the shortest PUSH (PUSH0 for zero); `':x'` marks
 * a JUMPDEST named x; `'@x'` pushes x's offset as PUSH2.
 */
export function assemble(program: readonly Asm[]): Uint8Array {
  const out: number[] = [];
  const labels = new Map<string, number>();
  const fixups: [number, string][] = [];
  for (const item of program) {
    if (typeof item === 'string' && item.startsWith(':')) {
      labels.set(item.slice(1), out.length);
      out.push(OPCODES.JUMPDEST!);
    } else if (typeof item === 'string' && item.startsWith('@')) {
      out.push(0x61, 0, 0);
      fixups.push([out.length - 2, item.slice(1)]);
    } else if (typeof item === 'string') {
      const op = OPCODES[item];
      if (op === undefined) throw new Error(`evm-asm: unknown opcode ${item}`);
      out.push(op);
    } else {
      out.push(...push(BigInt(item)));
    }
  }
  for (const [at, name] of fixups) {
    const target = labels.get(name);
    if (target === undefined) throw new Error(`evm-asm: undefined label ${name}`);
    out[at] = target >> 8;
    out[at + 1] = target & 0xff;
  }
  return Uint8Array.from(out);
}

function push(v: bigint): number[] {
  if (v < 0n || v >= 1n << 256n) throw new Error(`evm-asm: push value out of range: ${v}`);
  if (v === 0n) return [OPCODES.PUSH0!];
  const bytes: number[] = [];
  for (let x = v; x > 0n; x >>= 8n) bytes.unshift(Number(x & 0xffn));
  return [0x5f + bytes.length, ...bytes];
}

/** Init code that deploys `runtime` as it is: CODECOPY the bytes after this 10-byte head, RETURN them. */
export function deployCode(runtime: Uint8Array): Uint8Array {
  const n = runtime.length;
  if (n > 0xffff) throw new Error('evm-asm: runtime too large to deploy');
  const head = [0x61, n >> 8, n & 0xff, 0x80, 0x60, 10, 0x5f, 0x39, 0x5f, 0xf3];
  return Uint8Array.from([...head, ...runtime]);
}
