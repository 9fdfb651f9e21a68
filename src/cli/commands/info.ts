import { parseArgs } from 'node:util';
import { createAccelerator } from '../../index.js';
import { formatRate } from '../../bench/timing.js';

/** `evm-accel info [--json]`: the backends found, their devices, rates, and why any is missing. */
export async function info(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { json: { type: 'boolean', default: false } } });
  const accel = await createAccelerator();
  try {
    const backends = accel.backends;
    if (values.json) {
      process.stdout.write(JSON.stringify({ backends }) + '\n');
      return 0;
    }
    for (const b of backends) {
      const rates = Object.entries(b.calibratedRate ?? {})
        .map(([k, r]) => `${k} ${formatRate(r)}`)
        .join(', ');
      process.stdout.write(`${b.name.padEnd(11)} ${b.status.padEnd(12)} ${b.kind.padEnd(9)} ${b.device}\n`);
      if (b.kernels.length) process.stdout.write(`${''.padEnd(12)}kernels: ${b.kernels.join(', ')}${rates ? `; calibrated: ${rates}` : ''}\n`);
      for (const [k, v] of Object.entries(b.details ?? {})) process.stdout.write(`${''.padEnd(12)}${k}: ${String(v)}\n`);
      if (b.reason) process.stdout.write(`${''.padEnd(12)}why: ${b.reason}\n`);
    }
    return 0;
  } finally {
    await accel.close();
  }
}
