/** Debian's chromium ships SwiftShader's Vulkan driver manifest here. */
export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

/**
 * Asks the library for SwiftShader (EVM_ACCEL_WEBGPU_ADAPTER=swiftshader; it sets Vulkan up
 * itself), as CI and scripts/setup.sh do on a machine without a GPU, unless the environment chose
 * an adapter already. EVM_ACCEL_SWIFTSHADER=0 leaves the default, the machine's GPU, so that the
 * same suites run there. Must run before the first adapter is requested.
 */
export function useSwiftShaderIfUnset(): void {
  if (process.env.EVM_ACCEL_SWIFTSHADER === '0' || process.env.EVM_ACCEL_WEBGPU_ADAPTER) return;
  process.env.EVM_ACCEL_WEBGPU_ADAPTER = 'swiftshader';
}
