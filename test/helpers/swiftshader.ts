import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Debian's chromium ships SwiftShader's Vulkan ICD here. */
export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

/**
 * Points Vulkan (and so Dawn) at SwiftShader when the environment does not choose a driver
 * already and the ICD is installed: sets VK_ICD_FILENAMES, and XDG_RUNTIME_DIR (which the
 * Vulkan loader insists on) to a private 0700 directory. Must run before the first adapter is
 * requested. Returns whether a software adapter was configured. With EVM_ACCEL_SWIFTSHADER=0 it
 * changes nothing, so that the same suites run on a machine's real GPU.
 */
export function useSwiftShaderIfUnset(): boolean {
  if (process.env.EVM_ACCEL_SWIFTSHADER === '0') return false;
  if (!process.env.XDG_RUNTIME_DIR || !existsSync(process.env.XDG_RUNTIME_DIR)) {
    const dir = join(tmpdir(), `evm-accel-xdg-${process.getuid?.() ?? 'user'}`);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    process.env.XDG_RUNTIME_DIR = dir;
  }
  if (process.env.VK_ICD_FILENAMES === undefined && existsSync(SWIFTSHADER_ICD)) {
    process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
    return true;
  }
  return false;
}
