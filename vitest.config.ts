import { defineConfig } from 'vitest/config';

// Two projects so a developer can run the fast suites alone; CI runs both.
export default defineConfig({
  // The README's examples import the package by name, as users do.
  resolve: { alias: { 'evm-accel': new URL('./src/index.ts', import.meta.url).pathname } },
  test: {
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'], testTimeout: 60_000 } },
      {
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
