import { defineConfig } from 'vitest/config'

export default defineConfig({
  resolve: {
    // graphql 16 ships CJS ("main") and ESM ("module") builds. Node gives every importer the CJS one;
    // vite would give our ESM sources the ESM one while mercurius requires the CJS one: two graphql
    // realms, and "Cannot use GraphQLSchema from another module or realm". Resolve as Node does.
    alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }],
  },
  test: {
    include: ['test/**/*.test.ts'],
    // Integration tests start real servers and a real redis-server; give them room
    // but keep a hard ceiling so a hang fails instead of stalling CI.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Two cores: more workers only adds contention between real servers.
    maxWorkers: 2,
  },
})
