import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['@warewulf/source'] },
  ssr: { resolve: { conditions: ['@warewulf/source'] } },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
