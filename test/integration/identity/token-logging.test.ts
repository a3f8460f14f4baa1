import { Writable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { gql, type Stack } from '../../helpers/stack.js'
import { connectRaw } from '../../helpers/ws-client.js'
import { bearer, startAuthStack, tokenFor } from './identity-stack.js'

describe('tokens never reach the logs', () => {
  const lines: string[] = []
  let stack: Stack
  beforeAll(async () => {
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString())
        done()
      },
    })
    stack = await startAuthStack({ logger: { level: 'trace', stream } })
  })
  afterAll(() => stack?.close())

  it('logs why a token was refused, never the token, over HTTP and the websocket', async () => {
    const valid = await tokenFor(stack.mocks, { sub: '1' })
    const forged = await tokenFor(stack.mocks, { sub: '1', testOverrides: { forgeSignature: true } })
    expect((await gql(stack, '{ me { id } }', undefined, { headers: bearer(valid) })).status).toBe(200)
    expect((await gql(stack, '{ me { id } }', undefined, { headers: bearer(forged) })).status).toBe(401)
    const raw = await connectRaw(`${stack.bffUrl.replace('http', 'ws')}/graphql`)
    raw.send({ type: 'connection_init', payload: { authorization: `Bearer ${forged}` } })
    expect((await raw.waitForClose()).code).toBe(4403)

    const log = lines.join('')
    expect(log).toContain('"reason":"signature"')
    expect(log).toContain('websocket bearer token refused')
    // Every token's signature part (the secret-bearing bit) and whole text are absent.
    for (const token of [valid, forged]) {
      expect(log).not.toContain(token)
      expect(log).not.toContain(token.split('.')[2])
    }
  })
})
