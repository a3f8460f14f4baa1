import fc from 'fast-check'
import { afterAll, beforeAll, describe, it } from 'vitest'
import { startStack, type Stack } from '../helpers/stack.js'
import { anyGraphQLRequest } from './support/document-shapes.js'
import { abbreviate, fuzzStackEnv, runFuzz, testTimeoutMs } from './support/fuzz-run.js'
import { closeHttpDriver, graphqlCall } from './support/http-driver.js'
import { checkHttpInput } from './support/http-property.js'
import { rawGet, rawGetCall, rawPost, rawPostCall } from './support/http-requests.js'

/**
 * HTTP to /graphql on the real app over real mocks: generated GraphQL
 * documents sent as a well-behaved client would (POST and GET), then raw
 * bodies and raw query strings as a careless or hostile one would.
 * Invariants: support/invariants.ts; time and replay: support/fuzz-run.ts.
 */
const FILE = 'test/fuzz/http.test.ts'

let stack: Stack
beforeAll(async () => {
  stack = await startStack(fuzzStackEnv())
})
afterAll(async () => {
  await stack?.close()
  await closeHttpDriver()
})

const documentCall = fc.record({
  graphql: anyGraphQLRequest,
  method: fc.constantFrom('POST', 'POST', 'GET'),
  accept: fc.constantFrom('application/graphql-response+json', 'application/json'),
})

describe('fuzz: HTTP', () => {
  const documents = 'generated documents over POST and GET: no 5xx, within budget, still serving, same answer twice'
  it(
    documents,
    async () => {
      await runFuzz({
        name: documents,
        file: FILE,
        arbitrary: documentCall,
        predicate: ({ graphql, method, accept }) => checkHttpInput(stack.bffUrl, graphqlCall(graphql, method, accept)),
        describe: ({ graphql, method, accept }) => `${method} (accept ${accept}) ${abbreviate(graphql)}`,
      })
    },
    testTimeoutMs(),
  )

  const bodies = 'raw request bodies: no 5xx, within budget, still serving, same answer twice'
  it(
    bodies,
    async () => {
      await runFuzz({
        name: bodies,
        file: FILE,
        arbitrary: rawPost,
        predicate: (post) => checkHttpInput(stack.bffUrl, rawPostCall(post)),
      })
    },
    testTimeoutMs(),
  )

  const queryStrings = 'raw GET query strings: no 5xx, within budget, still serving, same answer twice'
  it(
    queryStrings,
    async () => {
      await runFuzz({
        name: queryStrings,
        file: FILE,
        arbitrary: rawGet,
        predicate: (get) => checkHttpInput(stack.bffUrl, rawGetCall(get)),
        describe: (get) => `${get.method} ${rawGetCall(get).path.slice(0, 2_000)} accept=${String(get.accept)}`,
      })
    },
    testTimeoutMs(),
  )
})
