import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import koffi from 'koffi';
import { BackendUnavailableError } from '../../runtime/errors.js';

/**
 * Which Vulkan drivers WebGPU may use (option `adapter`, variable EVM_ACCEL_WEBGPU_ADAPTER):
 * - `gpu` (default): the machine's GPU drivers only; software drivers (lavapipe, SwiftShader) are
 *   left out, so they neither run nor print their warnings. Where VK_ICD_FILENAMES or
 *   VK_DRIVER_FILES is set, the drivers it names are used instead: the user chose them.
 * - `swiftshader`: Chromium's SwiftShader only, a CPU implementation for tests and CI.
 * - `system`: whatever the Vulkan loader finds, the environment untouched.
 */
export type AdapterChoice = 'gpu' | 'swiftshader' | 'system';

export const ADAPTER_CHOICES: readonly AdapterChoice[] = ['gpu', 'swiftshader', 'system'];

/** What the library set up for Vulkan, for `info` and the messages of later failures. */
export interface VulkanSetup {
  choice: AdapterChoice;
  /** Driver manifests Vulkan may load (empty where the platform does not use Vulkan). */
  drivers: string[];
}

/** A Vulkan driver's manifest (ICD JSON): where it is and what it loads. */
export interface DriverManifest {
  path: string;
  /** The shared library, resolved against the manifest's folder when it names a path. */
  library: string;
  /** lavapipe, SwiftShader or llvmpipe: a CPU, not a GPU. */
  software: boolean;
}

const LOADER = 'libvulkan.so.1';
const SOFTWARE_DRIVER = /swiftshader|lvp|lavapipe|llvmpipe|softpipe/i;
/** Where browsers put SwiftShader's manifest (Debian/Ubuntu Chromium, Fedora, Google Chrome). */
const SWIFTSHADER_MANIFESTS = [
  '/usr/lib/chromium/vk_swiftshader_icd.json',
  '/usr/lib/chromium-browser/vk_swiftshader_icd.json',
  '/usr/lib64/chromium-browser/vk_swiftshader_icd.json',
  '/opt/google/chrome/vk_swiftshader_icd.json',
];

/** The choice named by EVM_ACCEL_WEBGPU_ADAPTER (default `gpu`); throws on any other value. */
export function adapterChoiceFromEnv(env: NodeJS.ProcessEnv = process.env): AdapterChoice {
  const v = env.EVM_ACCEL_WEBGPU_ADAPTER;
  if (v === undefined || v === '') return 'gpu';
  if ((ADAPTER_CHOICES as readonly string[]).includes(v)) return v as AdapterChoice;
  throw new BackendUnavailableError('webgpu', `EVM_ACCEL_WEBGPU_ADAPTER must be gpu, swiftshader or system; got '${v}'`);
}

/** The folders the Vulkan loader searches for driver manifests on Linux, in its order. */
export function driverSearchDirs(env: NodeJS.ProcessEnv = process.env): string[] {
  const home = env.HOME || homedir();
  const configHome = env.XDG_CONFIG_HOME || join(home, '.config');
  const configDirs = (env.XDG_CONFIG_DIRS || '/etc/xdg').split(':');
  const dataHome = env.XDG_DATA_HOME || join(home, '.local', 'share');
  const dataDirs = (env.XDG_DATA_DIRS || '/usr/local/share:/usr/share').split(':');
  const dirs = [configHome, ...configDirs, '/usr/local/etc', '/etc', dataHome, ...dataDirs];
  return [...new Set(dirs.filter((d) => d !== '').map((d) => join(d, 'vulkan', 'icd.d')))];
}

/**
 * The driver manifests in `entries` (files, or folders of *.json, as the loader takes them), in
 * order, and why each file that is not one is not; entries that do not exist are skipped.
 */
export function scanDriverManifests(entries: readonly string[]): { manifests: DriverManifest[]; problems: string[] } {
  const manifests: DriverManifest[] = [];
  const problems: string[] = [];
  for (const entry of entries) {
    let files: string[];
    try {
      files = statSync(entry).isDirectory()
        ? readdirSync(entry).filter((f) => f.endsWith('.json')).sort().map((f) => join(entry, f))
        : [entry];
    } catch {
      continue;
    }
    for (const f of files) {
      const m = readManifest(f);
      if (typeof m === 'string') problems.push(m);
      else manifests.push(m);
    }
  }
  return { manifests, problems };
}

/** The manifest at `path`, or why it is not one. */
function readManifest(path: string): DriverManifest | string {
  let lib: unknown;
  try {
    lib = (JSON.parse(readFileSync(path, 'utf8')) as { ICD?: { library_path?: unknown } }).ICD?.library_path;
  } catch (e) {
    return `${path} is not a driver manifest (${e instanceof SyntaxError ? 'not JSON' : oneLine((e as Error).message)})`;
  }
  if (typeof lib !== 'string' || lib === '') return `${path} names no ICD.library_path`;
  const library = lib.includes('/') ? resolve(dirname(path), lib) : lib;
  return { path, library, software: SOFTWARE_DRIVER.test(basename(path)) || SOFTWARE_DRIVER.test(basename(library)) };
}

/** Why a driver's library cannot serve Vulkan, or undefined when it loads and exports a driver entry point. */
function driverProblem(m: DriverManifest): string | undefined {
  let lib;
  try {
    lib = koffi.load(m.library);
  } catch (e) {
    return `${basename(m.path)}: ${m.library} does not load (${oneLine((e as Error).message)})`;
  }
  // The loader asks a driver for vk_icdGetInstanceProcAddr (or, from old drivers, vkGetInstanceProcAddr).
  for (const entry of ['vk_icdGetInstanceProcAddr', 'vkGetInstanceProcAddr']) {
    try {
      lib.func(entry, 'void *', ['void *', 'str']);
      return undefined;
    } catch {
      // try the next name
    }
  }
  return `${basename(m.path)}: ${m.library} is not a Vulkan driver (no vk_icdGetInstanceProcAddr)`;
}

let prepared: { choice: AdapterChoice; setup: VulkanSetup } | undefined;

/**
 * Chooses this process's Vulkan environment for Dawn, once, before its first instance: a private
 * runtime folder when XDG_RUNTIME_DIR is unset or unusable (the Vulkan stack complains on every
 * command otherwise), the drivers `choice` allows (through VK_DRIVER_FILES and VK_ICD_FILENAMES,
 * which the loader reads), and checks that Dawn will find a loader and a driver that loads.
 * Throws BackendUnavailableError saying which is missing, so Dawn is never started where it could
 * only print warnings. The environment is the process's: a second, different choice is refused.
 */
export function prepareVulkan(choice: AdapterChoice, env: NodeJS.ProcessEnv = process.env): VulkanSetup {
  if (prepared) {
    if (prepared.choice === choice) return prepared.setup;
    throw new BackendUnavailableError('webgpu', `this process already set Vulkan up for adapter '${prepared.choice}', not '${choice}'`);
  }
  // Dawn uses Metal on macOS and D3D on Windows; the Vulkan set-up is Linux's.
  if (process.platform !== 'linux') return (prepared = { choice, setup: { choice, drivers: [] } }).setup;
  ensureRuntimeDir(env);
  try {
    koffi.load(LOADER);
  } catch (e) {
    throw new BackendUnavailableError(
      'webgpu',
      `no Vulkan loader: ${LOADER} does not load (${oneLine((e as Error).message)}); install it (Debian/Ubuntu: apt install libvulkan1)`,
    );
  }
  const named = env.VK_DRIVER_FILES || env.VK_ICD_FILENAMES;
  let candidates: DriverManifest[];
  let problems: string[] = [];
  let set = false;
  if (choice === 'swiftshader') {
    const path = env.EVM_ACCEL_SWIFTSHADER_ICD || SWIFTSHADER_MANIFESTS.find((p) => existsSync(p));
    if (!path) {
      throw new BackendUnavailableError(
        'webgpu',
        `EVM_ACCEL_WEBGPU_ADAPTER=swiftshader, but SwiftShader's Vulkan driver is not installed (looked for ${SWIFTSHADER_MANIFESTS.join(', ')}; Debian: apt install chromium, or set EVM_ACCEL_SWIFTSHADER_ICD)`,
      );
    }
    const m = readManifest(path);
    candidates = typeof m === 'string' ? [] : [m];
    if (typeof m === 'string') problems.push(m);
    set = true;
  } else if (named) {
    // The user's own drivers, for `gpu` and `system` alike.
    const entries = named.split(':').filter((p) => p !== '');
    const scan = scanDriverManifests(entries);
    candidates = scan.manifests;
    const from = env.VK_DRIVER_FILES ? 'VK_DRIVER_FILES' : 'VK_ICD_FILENAMES';
    problems = [...entries.filter((p) => !existsSync(p)).map((p) => `${p} (from ${from}) does not exist`), ...scan.problems];
  } else {
    const dirs = driverSearchDirs(env);
    const scan = scanDriverManifests(dirs);
    const found = scan.manifests;
    problems = scan.problems;
    candidates = choice === 'gpu' ? found.filter((m) => !m.software) : found;
    if (candidates.length === 0) {
      const software = found.filter((m) => m.software).map((m) => basename(m.path));
      const swiftshader = SWIFTSHADER_MANIFESTS.some((p) => existsSync(p));
      throw new BackendUnavailableError(
        'webgpu',
        `no Vulkan driver${choice === 'gpu' ? ' for a GPU' : ''} (no driver manifest in ${dirs.join(', ')})` +
          (problems.length > 0 ? `; ${problems.join('; ')}` : '') +
          (software.length > 0 && choice === 'gpu' ? `; software drivers left out: ${software.join(', ')} (EVM_ACCEL_WEBGPU_ADAPTER=system uses them)` : '') +
          (swiftshader ? '; EVM_ACCEL_WEBGPU_ADAPTER=swiftshader runs WebGPU on SwiftShader (a CPU, for tests)' : ''),
      );
    }
    set = choice === 'gpu' && found.some((m) => m.software);
  }
  const usable = candidates.filter((m) => {
    const p = driverProblem(m);
    if (p) problems.push(p);
    return p === undefined;
  });
  if (usable.length === 0) {
    throw new BackendUnavailableError('webgpu', `no Vulkan driver: ${problems.join('; ') || 'none named'}`);
  }
  if (set) {
    const list = usable.map((m) => m.path).join(':');
    // Newer loaders read VK_DRIVER_FILES first, older ones only VK_ICD_FILENAMES.
    env.VK_DRIVER_FILES = list;
    env.VK_ICD_FILENAMES = list;
  }
  prepared = { choice, setup: { choice, drivers: usable.map((m) => m.path) } };
  return prepared.setup;
}

/**
 * Points XDG_RUNTIME_DIR at a private folder (0700, ours) unless it already names one: the
 * window-system parts of Vulkan drivers warn about a missing or shared one on every start.
 */
function ensureRuntimeDir(env: NodeJS.ProcessEnv): void {
  if (env.XDG_RUNTIME_DIR && isPrivateDir(env.XDG_RUNTIME_DIR)) return;
  let dir = join(tmpdir(), `evm-accel-runtime-${process.getuid?.() ?? 'user'}`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (!isPrivateDir(dir)) dir = mkdtempSync(join(tmpdir(), 'evm-accel-runtime-'));
  env.XDG_RUNTIME_DIR = dir;
}

function isPrivateDir(dir: string): boolean {
  try {
    const s = statSync(dir);
    return s.isDirectory() && (s.mode & 0o077) === 0 && s.uid === process.getuid?.();
  } catch {
    return false;
  }
}

/** A message of several lines as one, for a one-line reason. */
export function oneLine(s: string): string {
  return s.split('\n').map((l) => l.trim()).filter((l) => l !== '').join('; ');
}
