/** What the backend reports about a WebGPU adapter. */
export interface AdapterDescription {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** `software` for CPU rasterizers (SwiftShader, lavapipe, llvmpipe, WARP) and fallback adapters. */
  kind: 'hardware' | 'software';
  /** One line for `info`: description, or vendor/architecture/device where the driver gives none. */
  label: string;
}

/** The fields of GPUAdapterInfo this module reads (isFallbackAdapter is recent, so optional). */
export interface AdapterInfoFields {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  isFallbackAdapter?: boolean;
}

// CPU implementations of Vulkan/D3D that an adapter may be. They compute correct results, but
// their timings say nothing about a GPU, so routing must never prefer them to native CPU code.
const SOFTWARE = /swiftshader|lavapipe|llvmpipe|softpipe|microsoft basic render|\bwarp\b/i;

/** Classifies an adapter from its info: software if it says so or is named like a CPU rasterizer. */
export function describeAdapter(info: AdapterInfoFields): AdapterDescription {
  const fields = [info.vendor, info.architecture, info.device, info.description];
  const software = info.isFallbackAdapter === true || fields.some((f) => SOFTWARE.test(f));
  const label = info.description || fields.filter((f) => f).join(' ') || 'unknown adapter';
  return {
    vendor: info.vendor,
    architecture: info.architecture,
    device: info.device,
    description: info.description,
    kind: software ? 'software' : 'hardware',
    label,
  };
}
