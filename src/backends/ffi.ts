import { existsSync } from 'node:fs';
import { join } from 'node:path';
import koffi, { type LibraryHandle } from 'koffi';
import { packageRoot } from '../package-root.js';
import { BackendUnavailableError } from '../runtime/errors.js';
import type { BackendName } from '../runtime/types.js';

/**
 * The one FFI layer under both native libraries (native/cpu's kernels and native/fpga's bridge):
 * where a library is found, the ABI check every load makes, status names read from the library
 * itself, and async calls whose arguments stay referenced until C returns.
 */

/** A C function bound by koffi: callable synchronously, or with `.async(...args, callback)`. */
export type NativeFunction = ReturnType<LibraryHandle['func']>;

/** What the loader needs to know about one of the project's shared libraries. */
export interface NativeLibrarySpec {
  /** The backend it serves: errors are that backend's BackendUnavailableError. */
  readonly backend: BackendName;
  /** File name under native/build/ (and native/prebuilt/<platform>/ when shipped prebuilt). */
  readonly file: string;
  /** The folder under native/ whose Makefile builds it into native/build/. */
  readonly source: string;
  /** `int fn(void)` returning the library's ABI version, and the version this code speaks. */
  readonly abi: { readonly fn: string; readonly version: number };
  /** `const char *fn(int)` naming a status code the library returns. */
  readonly statusName: string;
  /** Whether the package ships prebuilt copies (native/prebuilt/<platform>/). */
  readonly prebuilt: boolean;
  /** Environment variable that, when set, names the library's path and replaces the lookup. */
  readonly pathEnv?: string;
  /** What building it needs beyond a C compiler and make, for the message when none is found. */
  readonly buildNeeds?: string;
}

/** The oldest glibc the prebuilt libraries load on (they are built on Debian 12 and need GLIBC_2.34). */
const PREBUILT_MIN_GLIBC = [2, 34] as const;

/**
 * The platform folder of native/prebuilt/ this process can load: `linux-x64-gnu`, `linux-arm64-gnu`;
 * undefined elsewhere, on musl and on a glibc older than the prebuilt libraries need.
 */
export function prebuiltPlatform(): string | undefined {
  if (platform === null) {
    platform = undefined;
    if (process.platform === 'linux' && (process.arch === 'x64' || process.arch === 'arm64')) {
      const [major = 0, minor = 0] = (glibcVersion() ?? '').split('.').map(Number);
      const [needMajor, needMinor] = PREBUILT_MIN_GLIBC;
      if (major > needMajor || (major === needMajor && minor >= needMinor)) platform = `linux-${process.arch}-gnu`;
    }
  }
  return platform;
}
let platform: string | undefined | null = null;

/**
 * glibc's version from glibc itself (0.5 ms; Node's diagnostic report also names it but takes
 * 50-250 ms to build); undefined on another C library, where libc.so.6 is not there.
 */
function glibcVersion(): string | undefined {
  try {
    return koffi.load('libc.so.6').func('const char *gnu_get_libc_version(void)')() as string;
  } catch {
    return undefined;
  }
}

/** Where the prebuilt copy for this platform lives in the package, if the platform has one. */
export function prebuiltLibraryPath(spec: NativeLibrarySpec, root: string = packageRoot()): string | undefined {
  const platform = spec.prebuilt ? prebuiltPlatform() : undefined;
  return platform && join(root, 'native', 'prebuilt', platform, spec.file);
}

/** Where `make -C native` puts the library. */
export function builtLibraryPath(spec: NativeLibrarySpec, root: string = packageRoot()): string {
  return join(root, 'native', 'build', spec.file);
}

/**
 * The library to load: the path in `spec.pathEnv` when set; else the prebuilt copy for this platform;
 * else the one built in the package by `make -C native`. Throws BackendUnavailableError naming the
 * places it looked and the exact command that builds one.
 */
export function findNativeLibrary(spec: NativeLibrarySpec, root: string = packageRoot()): string {
  const make = `\`make -C ${join(root, 'native', spec.source)}\`${spec.buildNeeds ? ` (needs ${spec.buildNeeds})` : ''}`;
  const env = spec.pathEnv && process.env[spec.pathEnv];
  if (env) {
    if (existsSync(env)) return env;
    throw new BackendUnavailableError(spec.backend, `${spec.pathEnv}=${env} names no file: unset it, or build the library with ${make}`);
  }
  const candidates = [prebuiltLibraryPath(spec, root), builtLibraryPath(spec, root)].filter((p): p is string => p !== undefined);
  const found = candidates.find((p) => existsSync(p));
  if (found) return found;
  const prebuilt = spec.prebuilt
    ? prebuiltPlatform()
      ? 'the prebuilt library is missing from the package'
      : `no prebuilt library for ${process.platform}-${process.arch}${process.platform === 'linux' ? ' with musl or glibc < 2.34' : ''}`
    : 'not shipped prebuilt';
  throw new BackendUnavailableError(spec.backend, `${spec.file} not found (${prebuilt}): run ${make}; looked in ${candidates.join(', ')}`);
}

const opened = new Map<string, NativeLibrary>();

/** One loaded shared library whose ABI version matched. */
export class NativeLibrary {
  private readonly nameOf: (status: number) => string;

  private constructor(
    readonly spec: NativeLibrarySpec,
    /** Absolute path of the loaded file. */
    readonly path: string,
    private readonly lib: LibraryHandle,
  ) {
    const name = lib.func(`const char *${spec.statusName}(int)`);
    this.nameOf = (status) => name(status) as string;
  }

  /**
   * Loads `path` (default: findNativeLibrary's choice), once per process and path. Throws
   * BackendUnavailableError when the file is missing, is not a loadable library, lacks the ABI
   * entry points or speaks another ABI version; each message says to rebuild.
   */
  static open(spec: NativeLibrarySpec, path: string = findNativeLibrary(spec)): NativeLibrary {
    const cached = opened.get(path);
    if (cached) return cached;
    const rebuild = `rebuild with \`make -C ${join(packageRoot(), 'native', spec.source)}\``;
    if (!existsSync(path)) throw new BackendUnavailableError(spec.backend, `${path} does not exist: ${rebuild}`);
    let lib: LibraryHandle;
    try {
      lib = koffi.load(path);
    } catch (e) {
      throw new BackendUnavailableError(spec.backend, `cannot load ${path}: ${(e as Error).message}`);
    }
    const lacks = (e: unknown) =>
      new BackendUnavailableError(spec.backend, `${path} lacks the expected entry points (${(e as Error).message}): ${rebuild}`);
    let version: number;
    try {
      version = lib.func(`int ${spec.abi.fn}(void)`)() as number;
    } catch (e) {
      throw lacks(e);
    }
    if (version !== spec.abi.version) {
      throw new BackendUnavailableError(spec.backend, `${path} has ABI version ${version}, this code needs ${spec.abi.version}: ${rebuild}`);
    }
    let library: NativeLibrary;
    try {
      library = new NativeLibrary(spec, path, lib);
    } catch (e) {
      throw lacks(e);
    }
    opened.set(path, library);
    return library;
  }

  /** Binds a C function by its prototype. */
  func(prototype: string): NativeFunction {
    return this.lib.func(prototype);
  }

  /** The library's name for a status code it returned (e.g. EAF_E_TIMEOUT). */
  statusName(status: number): string {
    return this.nameOf(status);
  }
}

/**
 * Argument lists of the calls in flight. koffi hands C raw pointers into the typed arrays but
 * references only the callback, so without this a buffer the caller no longer uses (the input
 * data, typically) could be collected while C still reads it.
 */
const pinned = new Set<unknown[]>();

/** Runs `fn` on koffi's worker pool, off the JS thread, with its arguments pinned until it returns. */
export function callAsync<T>(fn: NativeFunction, ...args: unknown[]): Promise<T> {
  return new Promise((resolve, reject) => {
    pinned.add(args);
    fn.async(...args, (err: unknown, result: T) => {
      pinned.delete(args);
      if (err) reject(err);
      else resolve(result);
    });
  });
}
