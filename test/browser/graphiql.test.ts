import { existsSync } from 'node:fs'
import { chromium, type Browser, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest'
import { gql, startStack, type Stack } from '../helpers/stack.js'
import { waitFor } from '../helpers/wait-for.js'

const CHROMIUM = '/usr/bin/chromium'
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
]
/** Upper bound for each wait on the page; the waits end as soon as their condition holds. */
const PAGE_TIMEOUT_MS = 15_000

/** What the page did, gathered from its events while a test runs. */
interface PageLog {
  readonly requests: string[]
  readonly failedRequests: string[]
  readonly errorResponses: string[]
  /** Console errors include CSP violations ("Refused to load …"). */
  readonly consoleErrors: string[]
  readonly pageErrors: string[]
}

function isLocal(url: string): boolean {
  const { protocol, hostname } = new URL(url)
  return protocol === 'data:' || hostname === '127.0.0.1' || hostname === 'localhost' || hostname === '[::1]'
}

async function openPage(browser: Browser): Promise<{ page: Page; log: PageLog }> {
  // A fresh context per test: empty localStorage, so GraphiQL starts from the default tabs.
  const context = await browser.newContext()
  onTestFinished(() => context.close())
  const page = await context.newPage()
  page.setDefaultTimeout(PAGE_TIMEOUT_MS)
  const log: PageLog = { requests: [], failedRequests: [], errorResponses: [], consoleErrors: [], pageErrors: [] }
  page.on('request', (request) => log.requests.push(request.url()))
  page.on('requestfailed', (request) => log.failedRequests.push(`${request.url()}: ${request.failure()?.errorText ?? '?'}`))
  page.on('response', (response) => {
    if (response.status() >= 400) log.errorResponses.push(`${response.status()} ${response.url()}`)
  })
  page.on('websocket', (socket) => log.requests.push(socket.url()))
  page.on('console', (message) => {
    if (message.type() === 'error') log.consoleErrors.push(message.text())
  })
  page.on('pageerror', (error) => log.pageErrors.push(error.message))
  return { page, log }
}

/**
 * A browser-side expression for a GraphiQL editor's text, read through
 * CodeMirror (which renders only the visible lines). A string, not a function,
 * so no test-runner transform (coverage counters, name helpers) reaches the
 * page; page.evaluate runs it over CDP, outside the page's CSP.
 */
const editorTextExpression = (selector: string): string =>
  `(document.querySelector(${JSON.stringify(selector)})?.CodeMirror?.getValue() ?? '')`

async function editorText(page: Page, selector: string): Promise<string> {
  return page.evaluate<string>(editorTextExpression(selector))
}

function expectOfflineAndClean(log: PageLog): void {
  expect(log.requests.filter((url) => !isLocal(url)), 'requests to other origins').toEqual([])
  expect(log.failedRequests, 'failed requests').toEqual([])
  expect(log.errorResponses, 'error responses').toEqual([])
  expect(log.consoleErrors, 'console errors (CSP violations among them)').toEqual([])
  expect(log.pageErrors, 'uncaught page errors').toEqual([])
}

const QUERY_EDITOR = '.graphiql-query-editor .CodeMirror'
const RESULT_EDITOR = '.result-window .CodeMirror'

const hasChromium = existsSync(CHROMIUM)

describe.skipIf(!hasChromium)(hasChromium ? 'GraphiQL in Chromium' : `GraphiQL in Chromium: SKIPPED, ${CHROMIUM} is missing (apt-get install -y chromium)`, () => {
  let browser: Browser

  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS })
  })
  afterAll(async () => {
    await browser?.close()
  })

  async function start(options: { auth?: boolean } = {}): Promise<Stack> {
    const stack = await startStack(options)
    onTestFinished(() => stack.close())
    return stack
  }

  it('opens on the home example and runs it with only local requests, none failing', async () => {
    const stack = await start()
    const expected = await gql(stack, '{ user(id: "1") { name } }')
    const userName = (expected.body.data?.['user'] as { name?: unknown } | undefined)?.name
    expect(typeof userName).toBe('string')

    const { page, log } = await openPage(browser)
    const response = await page.goto(`${stack.bffUrl}/graphiql`)
    expect(response?.status()).toBe(200)
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'")

    await page.waitForSelector(QUERY_EDITOR)
    expect(await editorText(page, QUERY_EDITOR)).toContain('query Home {')
    await page.click('.graphiql-execute-button')

    // Polled from Node: a page-side waitForFunction(string) would need 'unsafe-eval', which the CSP rightly forbids.
    const resultText = await waitFor(
      async () => {
        const text = await editorText(page, RESULT_EDITOR)
        return text.includes('"user"') && text.includes(String(userName)) ? text : null
      },
      { timeoutMs: PAGE_TIMEOUT_MS, intervalMs: 50, message: `the result pane to show user 1 (${String(userName)})` },
    )
    const result = JSON.parse(resultText) as { data?: unknown; errors?: unknown }
    expect(result.errors).toBeUndefined()
    expect(result.data).toMatchObject({ home: { user: { id: '1', name: userName } } })

    const assets = log.requests.filter((url) => url.includes('/graphiql/assets/'))
    expect(assets.map((url) => new URL(url).pathname)).toEqual(
      expect.arrayContaining(['/graphiql/assets/react.production.min.js', '/graphiql/assets/graphiql.min.js', '/graphiql/assets/bootstrap.js']),
    )
    expectOfflineAndClean(log)
  })

  it('loads the schema by introspection (docs, autocompletion and validation need it)', async () => {
    const stack = await start()
    const { page, log } = await openPage(browser)
    const introspection = page.waitForResponse(
      (response) => response.url().endsWith('/graphql') && (response.request().postData() ?? '').includes('__schema'),
    )
    await page.goto(`${stack.bffUrl}/graphiql`)
    const body = (await (await introspection).json()) as { data?: { __schema?: unknown }; errors?: unknown }
    // GraphiQL's introspection query is 15 levels deep, so the depth limit must allow it.
    expect(body.errors, 'introspection must pass validation (query depth limit)').toBeUndefined()
    expect(body.data?.__schema).toBeDefined()
    expectOfflineAndClean(log)
  })

  it('runs the subscription example over a websocket to the same host and shows live events', async () => {
    const stack = await start()
    const address = new URL(stack.bffUrl)
    const { page, log } = await openPage(browser)
    await page.goto(`${address.origin}/graphiql`)
    await page.waitForSelector(QUERY_EDITOR)
    await page.getByRole('tab', { name: 'OrderStatusChanged' }).click()
    // GraphiQL picks websocket over HTTP from the operation facts it derives from
    // the editor after a debounce; running before they update would POST the
    // subscription with the previous tab's facts.
    const operationName = `(document.querySelector(${JSON.stringify(QUERY_EDITOR)})?.CodeMirror?.operationName ?? null)`
    await waitFor(async () => (await page.evaluate<string | null>(operationName)) === 'OrderStatusChanged', {
      timeoutMs: PAGE_TIMEOUT_MS,
      intervalMs: 50,
      message: 'GraphiQL to analyse the OrderStatusChanged tab',
    })
    await page.click('.graphiql-execute-button')

    // The subscription only sees events after it starts: place orders for user 1 until one shows.
    const placed: string[] = []
    const resultText = await waitFor(
      async () => {
        const text = await editorText(page, RESULT_EDITOR)
        if (text.includes('"orderStatusChanged"')) return text
        const order = await gql(stack, 'mutation { placeOrder(input: { userId: "1", items: [{ productId: "5", quantity: 1 }] }) { id } }')
        placed.push((order.body.data?.['placeOrder'] as { id: string }).id)
        return null
      },
      { timeoutMs: PAGE_TIMEOUT_MS, intervalMs: 200, message: 'a live order event in the result pane' },
    )
    const result = JSON.parse(resultText) as { data: { orderStatusChanged: { eventId: string; order: { id: string; status: string } } } }
    expect(placed).toContain(result.data.orderStatusChanged.order.id)
    expect(result.data.orderStatusChanged.order.status).toBe('PLACED')
    expect(log.requests).toContain(`ws://${address.host}/graphql`)
    expectOfflineAndClean(log)
  })

  it('with identity on (as in npm start), runs the home example with a labelled development token for user 1, and switches user', async () => {
    const stack = await start({ auth: true })
    const { page, log } = await openPage(browser)
    await page.goto(`${stack.bffUrl}/graphiql`)
    await page.waitForSelector(QUERY_EDITOR)
    await page.getByText('Development token', { exact: true }).waitFor()
    expect(await page.locator('.dev-token').innerText()).toContain('for user 1, from the local identity provider (not for production)')
    expect(await editorText(page, QUERY_EDITOR)).toContain('home(userId: "1")')

    const runHome = async (): Promise<{ data?: { home?: Record<string, unknown> }; errors?: { extensions?: { code?: string } }[] }> => {
      await page.click('.graphiql-execute-button')
      const text = await waitFor(
        async () => {
          const value = await editorText(page, RESULT_EDITOR)
          return value.includes('"home"') ? value : null
        },
        { timeoutMs: PAGE_TIMEOUT_MS, intervalMs: 50, message: 'the home result' },
      )
      return JSON.parse(text) as { data?: { home?: Record<string, unknown> }; errors?: { extensions?: { code?: string } }[] }
    }
    // User 1's own screen, private fields included: the token went with the request.
    const own = await runHome()
    expect(own.errors).toBeUndefined()
    expect(own.data?.home?.['recentOrders']).toEqual(expect.any(Array))

    await page.fill('#dev-token-user', '2')
    await page.click('#dev-token-switch')
    await waitFor(async () => (await page.locator('.dev-token').innerText()).includes('for user 2'), { timeoutMs: PAGE_TIMEOUT_MS, intervalMs: 50, message: 'the switch to user 2' })
    await page.waitForSelector(QUERY_EDITOR)
    // Signed in as user 2, user 1's private fields are refused; the public ones are served.
    const other = await runHome()
    expect(other.data?.home?.['recentOrders']).toBeNull()
    expect(other.data?.home?.['user']).toMatchObject({ id: '1' })
    expect(other.errors?.map((error) => error.extensions?.code)).toContain('FORBIDDEN')
    expect(log.requests.filter((url) => url.includes('/graphiql/dev-token')).length).toBe(2)
    expectOfflineAndClean(log)
  })
})
