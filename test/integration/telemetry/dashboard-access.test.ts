import { request } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startStack, type Stack } from '../../helpers/stack.js'
import { tokenFor } from '../identity/identity-stack.js'

/** Opens the data stream with the given token and reads its status (and the first frame, when let in). */
async function openStream(stack: Stack, token: string | null): Promise<{ status: number; firstFrame: string | null }> {
  const controller = new AbortController()
  const response = await request(`${stack.bffUrl}/dashboard/stream`, {
    headers: token === null ? {} : { authorization: `Bearer ${token}` },
    signal: controller.signal,
  })
  if (response.statusCode !== 200) {
    await response.body.dump()
    return { status: response.statusCode, firstFrame: null }
  }
  let text = ''
  for await (const chunk of response.body) {
    text += String(chunk)
    if (text.includes('\n\n')) break
  }
  controller.abort()
  return { status: 200, firstFrame: text.slice(0, text.indexOf('\n\n')) }
}

/** The JSON the page hands its script (src/dashboard/page.ts). */
function pageConfig(html: string): { token: string | null; requireToken: boolean } {
  const match = /<script id="dashboard-config" type="application\/json">([\s\S]*?)<\/script>/.exec(html)
  if (match?.[1] === undefined) throw new Error('the dashboard page carries no config')
  return JSON.parse(match[1]) as { token: string | null; requireToken: boolean }
}

describe('dashboard access with identity on', () => {
  let stack: Stack
  beforeAll(async () => {
    stack = await startStack({ auth: true })
  })
  afterAll(async () => {
    await stack?.close()
  })

  it('lets only a token with the admin scope read the data: anonymous 401, a user 403, admin 200', async () => {
    expect((await openStream(stack, null)).status).toBe(401)
    expect((await openStream(stack, await tokenFor(stack.mocks, { sub: '2', scope: 'read' }))).status).toBe(403)
    const admin = await openStream(stack, await tokenFor(stack.mocks, { sub: '2', scope: 'admin' }))
    expect(admin.status).toBe(200)
    expect(admin.firstFrame).toMatch(/^data: \{/)
  })

  it('in development the page carries an admin token of its own that opens the stream', async () => {
    const page = await request(`${stack.bffUrl}/dashboard`)
    expect(page.statusCode).toBe(200)
    const config = pageConfig(await page.body.text())
    expect(config.requireToken).toBe(false)
    expect(config.token).toEqual(expect.any(String))
    expect((await openStream(stack, config.token)).status).toBe(200)
  })
})
