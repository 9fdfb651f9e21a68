// The figures of scripts/gpu-check.sh against issue #14's targets, read from the two benchmarks'
// JSON. A figure measured on a software adapter (SwiftShader) is printed as what it is, CPU
// emulation, and never compared with the GPU targets; in GPU mode such a result is an error.
//   node scripts/gpu-check-report.mjs gpu|swiftshader KECCAK.json ECRECOVER.json
import { readFileSync } from 'node:fs';
import { KECCAK_TARGETS } from '../dist/bench/webgpu-keccak256.js';

/** Issue #14's recovery targets at 1M signatures on a GPU, recoveries per second. */
const RECOVERY_TARGETS = { rate: 3e6, floor: 1.5e6, batch: 1 << 20 };

const [mode, keccakFile, ecrecoverFile] = process.argv.slice(2);
const problems = [];
const lines = [];
const M = (r) => (r == null ? 'n/a' : r >= 1e6 ? `${(r / 1e6).toFixed(2)} M/s` : `${(r / 1e3).toFixed(2)} k/s`);
const verdict = (value, target, floor) =>
  value == null ? 'NOT MEASURED' : value >= target ? 'MET' : floor !== undefined && value >= floor ? 'above floor, below target' : floor !== undefined ? 'BELOW FLOOR' : 'BELOW TARGET';

function load(file, what) {
  if (!file) {
    problems.push(`${what}: no results file`);
    return undefined;
  }
  const r = JSON.parse(readFileSync(file, 'utf8'));
  const software = r.software === true || r.adapter?.kind === 'software';
  if (software && mode === 'gpu') problems.push(`${what} ran on a software adapter (${r.adapter?.device ?? r.adapter?.label}): not GPU figures`);
  return { r, software, file };
}

const keccak = load(keccakFile, 'keccak');
const ecrecover = load(ecrecoverFile, 'ecrecover');
const software = (keccak?.software ?? false) || (ecrecover?.software ?? false) || mode !== 'gpu';

lines.push(
  software
    ? '=== SwiftShader (software Vulkan on the CPU): these are NOT GPU figures; no target is evaluated ==='
    : '=== GPU figures against issue #14 ===',
);

if (keccak) {
  const { r } = keccak;
  const row = (path, size, batch) => r.rows.find((x) => x.path === path && x.size === size && x.batch === batch);
  // The batch the benchmark compared with cpu-native (1M, or the reduced one with --quick).
  const main = r.rows.find((x) => x.path === 'packed-serial')?.batch ?? KECCAK_TARGETS.batch;
  const packed = row('packed', KECCAK_TARGETS.size, main);
  const arrays = row('arrays', KECCAK_TARGETS.size, main);
  const serial = row('packed-serial', KECCAK_TARGETS.size, main);
  lines.push(`Keccak-256, ${main} x ${KECCAK_TARGETS.size} B on ${r.adapter.device} [${r.adapter.kind}]  (${keccak.file})`);
  lines.push(`  end to end, packed:  ${M(packed?.rate)}` + (software ? '' : `   target ${M(KECCAK_TARGETS.endToEnd)}, floor ${M(KECCAK_TARGETS.endToEndFloor)}: ${verdict(packed?.rate, KECCAK_TARGETS.endToEnd, KECCAK_TARGETS.endToEndFloor)}`));
  lines.push(`  end to end, arrays:  ${M(arrays?.rate)} (packing ${arrays?.packMs?.toFixed(1) ?? 'n/a'} ms of ${arrays?.wallMs?.toFixed(1) ?? 'n/a'} ms)`);
  lines.push(`  cpu-native:          ${M(r.cpuNative?.rate)} (${r.cpuNative?.device ?? 'not measured'})`);
  const ratio = r.ratioToCpuNative;
  lines.push(`  GPU / cpu-native:    ${ratio == null ? 'n/a' : ratio.toFixed(2)}` + (software ? '' : `   target ${KECCAK_TARGETS.ratioToCpuNative}: ${verdict(ratio, KECCAK_TARGETS.ratioToCpuNative)}`));
  if (serial) {
    const s = serial.stages;
    lines.push(
      `  one chunk in flight: ${serial.wallMs.toFixed(1)} ms = staging wait ${s.stagingWait.toFixed(1)} + copy in ${s.copyIn.toFixed(1)} + device ${s.device.toFixed(1)} (kernel ${serial.kernelMs?.toFixed(1) ?? 'n/a'}) + copy out ${s.copyOut.toFixed(1)} ms`,
    );
  }
  const bw = r.bandwidth;
  if (bw) {
    lines.push(
      `  upload ${bw.mappedUploadGBps.toFixed(2)} GB/s (mapped staging), ${bw.writeBufferUploadGBps.toFixed(2)} GB/s (writeBuffer); readback ${bw.readbackGBps.toFixed(2)} GB/s; ` +
        (r.link ? `link ${r.link.GBps.toFixed(1)} GB/s (${r.link.source})` : 'link rate unknown'),
    );
  }
  if (!software && r.targets && !r.targets.applies) problems.push(`keccak targets not evaluated: ${r.targets.why}`);
}

if (ecrecover) {
  const { r } = ecrecover;
  const at = (output) => {
    const rows = (r.rows ?? []).filter((x) => x.backend === 'webgpu' && x.output === output);
    const big = rows.reduce((a, b) => (a && a.batch >= b.batch ? a : b), undefined);
    return big && { batch: big.batch, rate: big.perSecond };
  };
  const keys = at('keys');
  const addresses = at('addresses');
  const cpu = (r.rows ?? []).filter((x) => x.backend === 'cpu-native').map((x) => x.perSecond)[0];
  const device = r.adapter?.label ?? r.adapter?.device;
  lines.push(`secp256k1 recovery on ${device} [${r.adapter?.kind}]  (${ecrecover.file})`);
  lines.push(`  addresses (recovery + Keccak on the GPU), batch ${addresses?.batch ?? 'n/a'}: ${M(addresses?.rate)}` + (software ? '' : `   target ${M(RECOVERY_TARGETS.rate)}, floor ${M(RECOVERY_TARGETS.floor)} at ${RECOVERY_TARGETS.batch}: ${addresses?.batch === RECOVERY_TARGETS.batch ? verdict(addresses.rate, RECOVERY_TARGETS.rate, RECOVERY_TARGETS.floor) : 'NOT MEASURED at 1M'}`));
  lines.push(`  keys, batch ${keys?.batch ?? 'n/a'}: ${M(keys?.rate)}; cpu-native ${M(cpu)}`);
}

process.stdout.write(lines.join('\n') + '\n');
if (problems.length) {
  process.stderr.write(`gpu-check report: ${problems.join('; ')}\n`);
  process.exit(1);
}
