import Fastify, { type FastifyInstance } from 'fastify'
import { afterEach, describe, expect, it } from 'vitest'
import { buildApp } from '../../../src/app.js'
import { loadConfig } from '../../../src/config/load-config.js'
import graphiql, { GRAPHIQL_CSP, type GraphiQLOptions } from '../../../src/plugins/graphiql.js'

const leftovers: FastifyInstance[] = []
afterEach(async () => {
  await Promise.all(leftovers.splice(0).map((app) => app.close()))
})

async function build(options: GraphiQLOptions = { endpoint: '/graphql', subscriptionEndpoint: '/graphql' }): Promise<FastifyInstance> {
  const app = Fastify({ logger: false })
  leftovers.push(app)
  await app.register(graphiql, options)
  await app.ready()
  return app
}

/** Every src= and href= in the page. */
function referencedUrls(html: string): string[] {
  return [...html.matchAll(/\b(?:src|href)="([^"]*)"/g)].map((match) => match[1] ?? '')
}

function readConfigBlock(html: string): unknown {
  const match = /<script id="graphiql-config" type="application\/json">([^<]*)<\/script>/.exec(html)
  return JSON.parse(match?.[1] ?? 'null')
}

describe('graphiql plugin', () => {
  it('serves the page with a strict CSP and no inline script', async () => {
    const app = await build()
    const response = await app.inject({ method: 'GET', url: '/graphiql' })
    expect(response.statusCode).toBe(200)
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8')
    expect(response.headers['content-security-policy']).toBe(GRAPHIQL_CSP)
    expect(GRAPHIQL_CSP).toContain("script-src 'self'")
    expect(GRAPHIQL_CSP).toContain("default-src 'self'")
    expect(response.headers['cache-control']).toBe('no-cache')
    // The only <script> without src is the JSON data block, which browsers never execute.
    const inline = [...response.body.matchAll(/<script(?![^>]*\bsrc=)([^>]*)>/g)].map((match) => match[1])
    expect(inline).toEqual([' id="graphiql-config" type="application/json"'])
    expect(response.body).not.toMatch(/<style|\sstyle=|\son[a-z]+=/i)
  })

  it('references only its own assets (no CDN), each answering 200 with the right type and a long cache', async () => {
    const app = await build()
    const html = (await app.inject({ method: 'GET', url: '/graphiql' })).body
    const urls = referencedUrls(html)
    const assetUrls = urls.filter((url) => url !== 'data:,')
    expect(assetUrls.length).toBe(6)
    expect(urls.filter((url) => !assetUrls.includes(url))).toEqual(['data:,'])
    for (const url of assetUrls) {
      expect(url).toMatch(/^\/graphiql\/assets\/[a-z.-]+\.(js|css)\?v=[0-9a-f]{16}$/)
      const response = await app.inject({ method: 'GET', url })
      expect(response.statusCode, url).toBe(200)
      const type = url.includes('.js?') ? 'text/javascript; charset=utf-8' : 'text/css; charset=utf-8'
      expect(response.headers['content-type'], url).toBe(type)
      expect(response.headers['cache-control'], url).toBe('public, max-age=31536000, immutable')
      expect(response.headers['x-content-type-options'], url).toBe('nosniff')
      expect(response.body.length, url).toBeGreaterThan(0)
    }
    expect(assetUrls.some((url) => url.startsWith('/graphiql/assets/bootstrap.js?'))).toBe(true)
    expect(html).not.toMatch(/unpkg|jsdelivr|cdn|https?:\/\//i)
  })

  it('answers 304 to a matching If-None-Match', async () => {
    const app = await build()
    const first = await app.inject({ method: 'GET', url: '/graphiql/assets/bootstrap.js' })
    const etag = String(first.headers.etag)
    expect(etag).toMatch(/^"[0-9a-f]{16}"$/)
    const again = await app.inject({ method: 'GET', url: '/graphiql/assets/bootstrap.js', headers: { 'if-none-match': etag } })
    expect(again.statusCode).toBe(304)
    expect(again.body).toBe('')
  })

  it('404s assets it does not hold', async () => {
    const app = await build()
    expect((await app.inject({ method: 'GET', url: '/graphiql/assets/graphiql.min.js.map' })).statusCode).toBe(404)
    expect((await app.inject({ method: 'GET', url: '/graphiql/assets/../package.json' })).statusCode).toBe(404)
  })

  it('hands the endpoints and example tabs to the bootstrap script', async () => {
    const app = await build({ endpoint: '/graphql', subscriptionEndpoint: 'wss://api.example.com/graphql' })
    const config = readConfigBlock((await app.inject({ method: 'GET', url: '/graphiql' })).body)
    expect(config).toMatchObject({ endpoint: '/graphql', subscriptionEndpoint: 'wss://api.example.com/graphql' })
    expect(config).toHaveProperty(['tabs', 0, 'query'], expect.stringContaining('query Home'))
  })

  it('leaves subscriptionEndpoint null when not given', async () => {
    const app = await build({ endpoint: '/graphql' })
    const config = readConfigBlock((await app.inject({ method: 'GET', url: '/graphiql' })).body)
    expect(config).toMatchObject({ endpoint: '/graphql', subscriptionEndpoint: null })
  })

  it('escapes the data block so text in it cannot close the <script>', async () => {
    const app = await build({ endpoint: '/graphql?x=</script><script>alert(1)</script>' })
    const html = (await app.inject({ method: 'GET', url: '/graphiql' })).body
    expect(html).not.toContain('</script><script>alert(1)')
    expect(readConfigBlock(html)).toMatchObject({ endpoint: '/graphql?x=</script><script>alert(1)</script>' })
  })

  it.each([
    [{ endpoint: 'graphql' }, /"endpoint" must be a path starting with "\/" or a http\/https URL, got "graphql"/],
    [{ endpoint: '//evil.example/graphql' }, /"endpoint" must be/],
    [{ endpoint: '/graphql', subscriptionEndpoint: 'http://host/graphql' }, /"subscriptionEndpoint" must be a path starting with "\/" or a ws\/wss URL/],
  ])('rejects bad options up front: %j', async (options, message) => {
    const app = Fastify({ logger: false })
    leftovers.push(app)
    await expect(app.register(graphiql, options as GraphiQLOptions)).rejects.toMatchObject({ code: 'BFF_ERR_OPTION_INVALID', message: expect.stringMatching(message) })
  })

  it('is registered by buildApp only when GRAPHIQL_ENABLED is on', async () => {
    for (const [flag, status] of [['true', 200], ['false', 404]] as const) {
      const app = await buildApp(loadConfig({ AUTH_DISABLED: 'true', LOG_LEVEL: 'silent', GRAPHIQL_ENABLED: flag }), { logger: false })
      leftovers.push(app)
      expect((await app.inject({ method: 'GET', url: '/graphiql' })).statusCode, `GRAPHIQL_ENABLED=${flag}`).toBe(status)
    }
  })
})
