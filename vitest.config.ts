import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.{ts,tsx}'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // 2-core machines: keep parallelism modest so timing-sensitive seams stay honest.
    maxWorkers: 2,
    reporters: ['default', './test/summary-reporter.ts'],
    fakeTimers: { toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] },
  },
});
