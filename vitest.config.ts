import { configDefaults, defineConfig } from 'vitest/config';

/**
 * Two projects, both run by `vitest run`: our tests, and the official LangGraph checkpoint
 * conformance suite (@langchain/langgraph-checkpoint-validation), whose spec files call describe/it
 * as globals, so only its project has `globals: true`.
 */
const CHECKPOINT_SUITE = 'test/checkpoint-suite/**/*.test.ts';

export default defineConfig({
  test: {
    // Integration files share one Cassandra on a 2-core machine: run files one at a time.
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 300_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'agentstore',
          include: ['test/**/*.test.ts'],
          exclude: [...configDefaults.exclude, CHECKPOINT_SUITE],
        },
      },
      { extends: true, test: { name: 'checkpoint-suite', include: [CHECKPOINT_SUITE], globals: true } },
    ],
  },
});
