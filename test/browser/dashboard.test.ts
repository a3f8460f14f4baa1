import { existsSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium, type Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest'
import { SERVICE_NAMES } from '../../src/config/services.js'
import { gql, setFaults, startStack } from '../helpers/stack.js'
import { waitFor } from '../helpers/wait-for.js'
import { HOME } from '../helpers/home-query.js'

const CHROMIUM = '/usr/bin/chromium'
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync']
const PAGE_TIMEOUT_MS = 15_000
/**
 * The README's picture is rewritten only when asked (DOCS_SCREENSHOTS=1): a test run must not leave
 * the checkout changed. Otherwise the same screenshot goes to a temporary file.
 */
const WRITES_DOCS_SCREENSHOT = process.env['DOCS_SCREENSHOTS'] === '1'
const SCREENSHOT = WRITES_DOCS_SCREENSHOT
  ? fileURLToPath(new URL('../../docs/img/dashboard.png', import.meta.url))
  : join(tmpdir(), `bff-dashboard-${process.pid}.png`)

/** Home queries one after another until stopped, at most `max` of them: traffic for the tiles. */
function traffic(stack: Parameters<typeof gql>[0], max: number): { stop(): Promise<void> } {
  let stopped = false
  const done = (async () => {
    for (let i = 0; i < max && !stopped; i += 1) await gql(stack, HOME, { id: String((i % 20) + 1) })
  })()
  return {
    async stop() {
      stopped = true
      await done
    },
  }
}

const hasChromium = existsSync(CHROMIUM)

describe.skipIf(!hasChromium)(hasChromium ? 'dashboard in Chromium' : `dashboard in Chromium: SKIPPED, ${CHROMIUM} is missing`, () => {
  let browser: Browser
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS })
  })
  afterAll(async () => {
    await browser?.close()
  })

  it('shows a tile per service, turns a failing service red (breaker open) within 5 s and back to closed once it heals, with no failed request', async () => {
    const stack = await startStack({
      DOWNSTREAM_BREAKER_MIN_CALLS: '5',
      DOWNSTREAM_BREAKER_COOLDOWN_MS: '1000',
      // Cached, recommendations would be asked once per user: every query should reach it.
      CACHE_TTL_OVERRIDES: '{"Home.recommendations":0}',
      CACHE_STALE_IF_ERROR_S: '0',
      INSTANCE_NAME: 'bff-test-1',
    })
    onTestFinished(() => stack.close())
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
    onTestFinished(() => context.close())
    const page = await context.newPage()
    page.setDefaultTimeout(PAGE_TIMEOUT_MS)
    const problems: string[] = []
    page.on('requestfailed', (request) => {
      // The stream is cut when the page closes at the end of the test; that is not a failure of the page.
      if (!request.url().endsWith('/dashboard/stream')) problems.push(`failed ${request.url()}: ${request.failure()?.errorText ?? '?'}`)
    })
    page.on('response', (response) => {
      if (response.status() >= 400) problems.push(`${response.status()} ${response.url()}`)
    })
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console: ${message.text()}`)
    })
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`))

    const load = traffic(stack, 20_000)
    onTestFinished(() => load.stop())
    const response = await page.goto(`${stack.bffUrl}/dashboard`)
    expect(response?.status()).toBe(200)
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'")
    await page.waitForSelector('#status[data-state="live"]')
    expect(await page.textContent('#instance')).toBe('bff-test-1')
    const breakerOf = (service: string) => page.getAttribute(`[data-service="${service}"]`, 'data-breaker')
    for (const service of SERVICE_NAMES) await page.waitForSelector(`[data-service="${service}"][data-breaker="closed"]`)

    await setFaults(stack.mocks.urls.recommendations, { errorRate: 1 })
    const faultedAt = Date.now()
    await waitFor(async () => (await breakerOf('recommendations')) === 'open', { timeoutMs: 5_000, intervalMs: 50, message: 'the recommendations tile to show the breaker open' })
    const openAfterMs = Date.now() - faultedAt
    expect(openAfterMs).toBeLessThan(5_000)
    expect(await breakerOf('users')).toBe('closed')
    // The README's picture: one service failing beside six healthy ones.
    await page.screenshot({ path: SCREENSHOT })
    if (!WRITES_DOCS_SCREENSHOT) onTestFinished(() => rmSync(SCREENSHOT, { force: true }))

    await setFaults(stack.mocks.urls.recommendations, { errorRate: 0 })
    await waitFor(async () => (await breakerOf('recommendations')) === 'closed', { timeoutMs: 10_000, intervalMs: 50, message: 'the recommendations tile to return to closed' })
    await load.stop()
    expect(problems).toEqual([])
  }, 60_000)
})
