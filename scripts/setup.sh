#!/usr/bin/env bash
# Sets evm-accel up on a fresh Debian/Ubuntu machine, then runs the main job or the tests:
#   scripts/setup.sh demo   # replay the bundled mainnet blocks on the best backend found
#   scripts/setup.sh test   # every test suite (unit + end-to-end), as CI runs it
#   scripts/setup.sh bench | build
# Idempotent: each step is skipped when already done. Runs as root, or as a user with sudo.
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-demo}"
shift || true

log() { printf '\033[1msetup:\033[0m %s\n' "$*" >&2; }
die() { printf 'setup: %s\n' "$*" >&2; exit 1; }
case "$mode" in demo | test | bench | build) ;; *) echo "usage: scripts/setup.sh [demo|test|bench|build] [args...]" >&2; exit 2 ;; esac

# What the build and the backends load, each with the Debian package that provides it. A need is
# checked by what is actually there (a shared library in the loader's cache, a command, a file),
# not by the package's name: Dawn dlopen()s libvulkan.so.1 whichever package put it there.
#   lib:NAME   a shared library the dynamic loader finds (ldconfig -p)
#   cmd:NAME   a command on the PATH
#   file:PATH  a file
needs=(
  "build-essential        cmd:cc"                                        # native/ (C kernels, bridge)
  "build-essential        cmd:make"
  "build-essential        cmd:g++"                                       # the bridge's Verilator models
  "libstdc++6             lib:libstdc++.so.6"                            # loaded with the FPGA bridge
  "libvulkan1             lib:libvulkan.so.1"                            # Dawn (WebGPU) opens the Vulkan loader
  "chromium               file:/usr/lib/chromium/vk_swiftshader_icd.json" # SwiftShader: WebGPU without a GPU
  "chromium               file:/usr/lib/chromium/libvk_swiftshader.so"
  "verilator              cmd:verilator"                                 # the FPGA simulation
  "iverilog               cmd:iverilog"                                  # HDL test benches
  "yosys                  cmd:yosys"                                     # synthesis figures
  "gcc-aarch64-linux-gnu  cmd:aarch64-linux-gnu-gcc"                     # the prebuilt linux-arm64 library
  "libc6-dev-arm64-cross  file:/usr/aarch64-linux-gnu/lib/libc.so"
  "qemu-user              cmd:qemu-aarch64"                              # runs the arm64 library's smoke test
  # The packaging test proves the prebuilt library loads its own libsecp256k1 where the system has one.
  "libsecp256k1-1         lib:libsecp256k1.so.1"
)

have() {
  local kind="${1%%:*}" what="${1#*:}"
  case "$kind" in
    lib) PATH="$PATH:/sbin:/usr/sbin" ldconfig -p | grep -q "^[[:space:]]*${what//./\\.} " ;;
    cmd) command -v "$what" >/dev/null ;;
    file) [ -e "$what" ] ;;
  esac
}

missing() {
  local line pkg check out=()
  for line in "${needs[@]}"; do
    read -r pkg check <<<"$line"
    have "$check" || out+=("$pkg")
  done
  printf '%s\n' "${out[@]}" | sort -u | tr '\n' ' '
}

todo="$(missing)"
if [ -n "${todo// /}" ]; then
  if [ "$(id -u)" -eq 0 ]; then
    as_root=()
  elif command -v sudo >/dev/null; then
    as_root=(sudo)
  else
    die "needs root or sudo to install: ${todo}(as root: apt-get install ${todo})"
  fi
  log "installing ${todo}"
  "${as_root[@]}" apt-get update -qq
  # shellcheck disable=SC2086 # one word per package
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $todo >/dev/null
  for line in "${needs[@]}"; do
    read -r pkg check <<<"$line"
    have "$check" || die "$pkg is installed but ${check#*:} is still missing"
  done
fi

command -v node >/dev/null || die "Node.js 20.19+ is required"
node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)' ||
  die "Node.js 20.19+ is required, found $(node --version)"

# npm ci only when the lockfile changed since the last install.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi

log "native build (make -C native)"
make -s -C native -j"$(nproc)"
log "TypeScript build"
npx tsc -p tsconfig.json

# WebGPU without a GPU: ask the library for SwiftShader (it sets Vulkan up itself). A machine
# with a GPU keeps the default, its GPU's Vulkan driver.
has_gpu() { [ -e /dev/nvidia0 ] || compgen -G '/dev/dri/renderD*' >/dev/null; }
if [ -z "${EVM_ACCEL_WEBGPU_ADAPTER:-}" ] && ! has_gpu; then
  export EVM_ACCEL_WEBGPU_ADAPTER=swiftshader
fi

# No board here: the FPGA backend drives the Verilator model of the same RTL (always ranked below
# the real CPU kernels, so it only shows in `info` and serves as a fallback).
export EVM_ACCEL_FPGA="${EVM_ACCEL_FPGA:-sim}"

case "$mode" in
  demo) exec node dist/src/cli/main.js demo "$@" ;;
  bench) exec node dist/src/cli/main.js bench "$@" ;;
  test)
    # Tests are TypeScript too: type-check them (vitest only strips types) before running them.
    npx tsc -p tsconfig.test.json
    # Every backend the suites claim to test must be ready, or CI fails here, once, with the reason.
    node scripts/check-backends.mjs
    exec npx vitest run "$@" ;;
  build) ;;
esac
