#!/usr/bin/env bash
# Sets evm-accel up on a fresh Debian/Ubuntu machine, then runs the main job or the tests:
#   scripts/setup.sh demo   # replay the bundled mainnet blocks on the best backend found
#   scripts/setup.sh test   # every test suite (unit + end-to-end), as CI runs it
# Idempotent: each step is skipped when already done.
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-demo}"
shift || true

log() { printf '\033[1msetup:\033[0m %s\n' "$*" >&2; }

# System packages: a C toolchain and libsecp256k1 (cpu-native), Verilator/iverilog/yosys (the FPGA
# path, simulated), Chromium for its SwiftShader Vulkan driver (WebGPU without a GPU).
packages=(build-essential pkg-config libsecp256k1-dev verilator iverilog yosys chromium libvulkan1)
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if ((${#missing[@]})); then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  log "installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

command -v node >/dev/null || { echo "setup: Node.js 20.19+ is required" >&2; exit 1; }

# npm ci only when the lockfile changed since the last install.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi

log "native build (make -C native)"
make -s -C native -j"$(nproc)"
log "TypeScript build"
npx tsc -p tsconfig.json

# WebGPU without a GPU: Dawn on SwiftShader. A machine with a real Vulkan driver keeps its own.
swiftshader=/usr/lib/chromium/vk_swiftshader_icd.json
has_gpu() { [ -e /dev/nvidia0 ] || compgen -G '/dev/dri/renderD*' >/dev/null; }
if [ -z "${VK_ICD_FILENAMES:-}" ] && [ -f "$swiftshader" ] && ! has_gpu; then
  export VK_ICD_FILENAMES="$swiftshader"
fi
if [ -z "${XDG_RUNTIME_DIR:-}" ]; then
  export XDG_RUNTIME_DIR="${TMPDIR:-/tmp}/evm-accel-xdg-$(id -u)"
  mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
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
    exec npx vitest run "$@" ;;
  build) ;;
  *) echo "usage: scripts/setup.sh [demo|test|bench|build] [args...]" >&2; exit 2 ;;
esac
