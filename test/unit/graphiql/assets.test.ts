import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Script } from 'node:vm'
import { afterEach, describe, expect, it } from 'vitest'
import { BffError } from '../../../src/errors.js'
import { loadGraphiQLAssets } from '../../../src/graphiql/assets.js'
import { BOOTSTRAP_JS } from '../../../src/graphiql/client-sources.js'

const leftovers: string[] = []
afterEach(() => {
  for (const dir of leftovers.splice(0)) rmSync(dir, { recursive: true, force: true })
})

describe('loadGraphiQLAssets', () => {
  it('reads every vendor file from node_modules, with its package version as source', () => {
    const assets = loadGraphiQLAssets()
    expect(assets.map((asset) => asset.name)).toEqual([
      'react.production.min.js',
      'react-dom.production.min.js',
      'graphiql.min.js',
      'graphiql.min.css',
      'page.css',
      'bootstrap.js',
    ])
    for (const asset of assets) {
      expect(asset.body.length, asset.name).toBeGreaterThan(0)
      expect(asset.hash).toMatch(/^[0-9a-f]{16}$/)
    }
    // The UMD builds exist only in React 18; a bump to 19 must fail here, not in a browser.
    expect(assets[0]?.source).toMatch(/^react@18\./)
    expect(assets[2]?.source).toMatch(/^graphiql@4\./)
  })

  it('fails fast with BFF_ERR_CONFIG_INVALID naming the missing file', () => {
    // A package that resolves but lacks its UMD build, as after a major upgrade.
    const dir = mkdtempSync(join(tmpdir(), 'graphiql-assets-'))
    leftovers.push(dir)
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'react', version: '19.0.0' }))
    const load = (): unknown => loadGraphiQLAssets(() => join(dir, 'package.json'))
    expect(load).toThrow(BffError)
    expect(load).toThrow(/react\/umd\/react\.production\.min\.js could not be read/)
    try {
      load()
    } catch (error) {
      expect(error).toMatchObject({ code: 'BFF_ERR_CONFIG_INVALID' })
    }
  })

  it('fails fast when a package cannot be resolved at all', () => {
    const load = (): unknown =>
      loadGraphiQLAssets((name) => {
        throw Object.assign(new Error(`Cannot find module '${name}/package.json'`), { code: 'MODULE_NOT_FOUND' })
      })
    expect(load).toThrow(/GraphiQL is enabled but its asset react\/umd\/react\.production\.min\.js could not be read/)
  })
})

describe('BOOTSTRAP_JS', () => {
  it('is syntactically valid JavaScript (it ships untranspiled)', () => {
    expect(() => new Script(BOOTSTRAP_JS)).not.toThrow()
  })
})
