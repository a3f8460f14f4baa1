import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { SHIPPED_NODE_FLAGS } from '../../../bench/lib/server-env.js'
import { shippedNodeFlags } from '../../../scripts/node-flags.js'

const packageJson = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
  scripts: Record<string, string>
  config: { nodeFlags: string }
}

describe('node flags', () => {
  it.each(['start', 'start:bff', 'bench:overhead'])('npm run %s passes package.json config.nodeFlags to node', (name) => {
    expect(packageJson.scripts[name]).toMatch(/\bnode \$npm_package_config_nodeFlags dist\//)
  })

  it('are the ones the benchmarks start every server with', () => {
    expect(SHIPPED_NODE_FLAGS).toEqual(packageJson.config.nodeFlags.split(' '))
    expect(shippedNodeFlags()).toEqual(SHIPPED_NODE_FLAGS)
  })

  it('are accepted by the Node running the tests (a V8 upgrade may drop a flag)', () => {
    const out = execFileSync(process.execPath, [...SHIPPED_NODE_FLAGS, '-e', 'process.stdout.write("ok")'], { encoding: 'utf8' })
    expect(out).toBe('ok')
  })
})
