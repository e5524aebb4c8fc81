import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Load tests and child-process servers share two cores: keep workers few so timing-sensitive tests stay honest.
    maxWorkers: 2,
    reporters: ['default'],
  },
});
