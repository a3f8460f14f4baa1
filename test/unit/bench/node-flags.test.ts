import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { SHIPPED_NODE_FLAGS } from '../../../bench/lib/server-env.js'

const scripts = (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { scripts: Record<string, string> })
  .scripts

describe('node flags', () => {
  it.each(['start', 'start:bff'])('npm run %s runs the BFF with the flags the benchmarks measure', (name) => {
    const flags = /\bnode((?: --[\w-]+=?\S*)*) dist\//.exec(scripts[name] ?? '')?.[1]?.trim().split(' ') ?? []
    expect(flags).toEqual(SHIPPED_NODE_FLAGS)
  })
})
