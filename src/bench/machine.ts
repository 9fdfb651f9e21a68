import os from 'node:os';
import type { BackendInfo } from '../index.js';

/** The machine and devices a result was measured on, written into every results file. */
export interface MachineInfo {
  hostname: string;
  platform: string;
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  devices: { backend: string; device: string; kind: string; status: string }[];
}

export function machineInfo(backends: BackendInfo[]): MachineInfo {
  return {
    hostname: os.hostname(),
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    cpu: os.cpus()[0]?.model.trim() ?? 'unknown',
    cores: os.availableParallelism(),
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    devices: backends.map((b) => ({ backend: b.name, device: b.device, kind: b.kind, status: b.status })),
  };
}
