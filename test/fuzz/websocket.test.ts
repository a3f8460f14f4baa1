import { afterAll, beforeAll, describe, it } from 'vitest'
import { startStack, type Stack } from '../helpers/stack.js'
import { abbreviate, fuzzStackEnv, runFuzz, testTimeoutMs } from './support/fuzz-run.js'
import { checkWsInput } from './support/ws-property.js'
import { wsSequence } from './support/ws-sequences.js'

/**
 * graphql-transport-ws message sequences on real websockets (path /graphql)
 * to the real app over real mocks.
 * Invariants: support/invariants.ts; time and replay: support/fuzz-run.ts.
 */
const FILE = 'test/fuzz/websocket.test.ts'

let stack: Stack
let wsUrl: string
beforeAll(async () => {
  stack = await startStack(fuzzStackEnv())
  wsUrl = `${stack.bffUrl.replace(/^http/, 'ws')}/graphql`
})
// Closing drains every websocket the sequences left open; on a loaded machine that outlasts the default 30 s.
afterAll(async () => {
  await stack?.close()
}, 90_000)

describe('fuzz: graphql-transport-ws messages', () => {
  const name = 'message sequences: no 1011/4500 or server error codes, within budget, still serving, same answer twice when paced'
  it(
    name,
    async () => {
      await runFuzz({
        name,
        file: FILE,
        arbitrary: wsSequence,
        predicate: (sequence) => checkWsInput(stack.bffUrl, wsUrl, sequence),
        describe: (sequence) => abbreviate({ ...sequence, steps: sequence.steps.map((step) => (step.kind === 'oversized' ? { kind: 'oversized' } : step)) }),
      })
    },
    testTimeoutMs(),
  )
})
