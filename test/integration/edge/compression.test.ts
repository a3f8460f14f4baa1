import { brotliDecompressSync, gunzipSync } from 'node:zlib'
import { request } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startStack, type Stack } from '../../helpers/stack.js'
import { once } from 'node:events'
import WebSocket from 'ws'

/** Large enough to pass the 1 KiB threshold: a page of products with their descriptions. */
const LARGE = '{ search(query: "a", first: 20) { edges { node { id name description images } } } }'
const SMALL = '{ __typename }'

async function fetchRaw(stack: Stack, query: string, acceptEncoding: string | undefined, method: 'GET' | 'POST' = 'POST') {
  const headers: Record<string, string> = { accept: 'application/json' }
  if (acceptEncoding !== undefined) headers['accept-encoding'] = acceptEncoding
  const response =
    method === 'POST'
      ? await request(`${stack.bffUrl}/graphql`, { method, headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify({ query }) })
      : await request(`${stack.bffUrl}/graphql?query=${encodeURIComponent(query)}`, { method, headers })
  // undici does not decode: the bytes are what went over the wire.
  const bytes = Buffer.from(await response.body.arrayBuffer())
  return { status: response.statusCode, headers: response.headers, bytes }
}

describe('response compression', () => {
  let stack: Stack
  beforeAll(async () => {
    stack = await startStack()
  })
  afterAll(async () => {
    await stack?.close()
  })

  it('br, gzip and identity answers all parse to the same JSON', async () => {
    const plain = await fetchRaw(stack, LARGE, undefined)
    expect(plain.headers['content-encoding']).toBeUndefined()
    expect(plain.bytes.length).toBeGreaterThan(1_024)
    const expected = JSON.parse(plain.bytes.toString('utf8')) as { data: unknown }
    expect(expected.data).toBeTruthy()

    const br = await fetchRaw(stack, LARGE, 'gzip, deflate, br')
    expect(br.headers['content-encoding']).toBe('br')
    expect(br.bytes.length).toBeLessThan(plain.bytes.length / 2)
    expect(JSON.parse(brotliDecompressSync(br.bytes).toString('utf8'))).toEqual(expected)

    const gzip = await fetchRaw(stack, LARGE, 'gzip')
    expect(gzip.headers['content-encoding']).toBe('gzip')
    expect(JSON.parse(gunzipSync(gzip.bytes).toString('utf8'))).toEqual(expected)
    expect(String(gzip.headers['vary']).toLowerCase()).toContain('accept-encoding')
  })

  it('a GET answer is compressed too, and keeps its weak ETag', async () => {
    const query = '{ products(ids: ["1","2","3","4","5","6","7","8"]) { id name description } }'
    const br = await fetchRaw(stack, query, 'br', 'GET')
    expect(br.headers['content-encoding']).toBe('br')
    expect(String(br.headers['etag'])).toMatch(/^W\//)
    expect(JSON.parse(brotliDecompressSync(br.bytes).toString('utf8'))).toHaveProperty('data.products')
  })

  it('answers under the threshold and encodings the client does not accept are sent as they are', async () => {
    const small = await fetchRaw(stack, SMALL, 'br, gzip')
    expect(small.headers['content-encoding']).toBeUndefined()
    expect(JSON.parse(small.bytes.toString('utf8'))).toEqual({ data: { __typename: 'Query' } })
    const deflateOnly = await fetchRaw(stack, LARGE, 'deflate')
    expect(deflateOnly.headers['content-encoding']).toBeUndefined()
    expect(JSON.parse(deflateOnly.bytes.toString('utf8'))).toHaveProperty('data.search')
  })

  it('websocket frames are not compressed: no permessage-deflate is negotiated', async () => {
    const socket = new WebSocket(`${stack.bffUrl.replace('http', 'ws')}/graphql`, 'graphql-transport-ws', { perMessageDeflate: true })
    try {
      await once(socket, 'open')
      expect(socket.extensions).toBe('')
    } finally {
      socket.close()
    }
  })
})

describe('compression off', () => {
  let stack: Stack
  beforeAll(async () => {
    stack = await startStack({ COMPRESSION_ENABLED: 'false' })
  })
  afterAll(async () => {
    await stack?.close()
  })

  it('sends every answer as it is', async () => {
    const answer = await fetchRaw(stack, LARGE, 'br, gzip')
    expect(answer.headers['content-encoding']).toBeUndefined()
    expect(JSON.parse(answer.bytes.toString('utf8'))).toHaveProperty('data.search')
  })
})
