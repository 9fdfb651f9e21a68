import { defineConfig } from 'vitest/config';

// Two projects so a developer can run the fast suites alone; CI runs both.
export default defineConfig({
  // The README's examples import the package by name, as users do.
  resolve: {
    alias: [
      { find: /^evm-accel\/ethereumjs$/, replacement: new URL('./src/plugin/ethereumjs.ts', import.meta.url).pathname },
      { find: /^evm-accel$/, replacement: new URL('./src/index.ts', import.meta.url).pathname },
    ],
  },
  test: {
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'], testTimeout: 60_000 } },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          testTimeout: 600_000,
          hookTimeout: 600_000,
          // The end-to-end suites (block replay, Verilator, SwiftShader) each saturate the two cores.
          fileParallelism: false,
        },
      },
    ],
  },
});
