import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Integration tests start real servers and a real redis-server; give them room
    // but keep a hard ceiling so a hang fails instead of stalling CI.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Two cores: more workers only adds contention between real servers.
    maxWorkers: 2,
    globalSetup: ['test/helpers/global-setup.ts'],
  },
})
