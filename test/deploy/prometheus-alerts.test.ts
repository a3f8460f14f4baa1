import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { z } from 'zod'
import { scrape } from '../helpers/metrics.js'
import { gql, startStack, type Stack } from '../helpers/stack.js'

const rule = z.object({
  alert: z.string().regex(/^[A-Z][A-Za-z0-9]+$/),
  expr: z.string().min(1),
  for: z.string().regex(/^\d+[smh]$/).optional(),
  labels: z.object({ severity: z.enum(['critical', 'warning', 'info']) }),
  annotations: z.object({ summary: z.string().min(1) }).passthrough(),
})
const rulesFile = z.object({ groups: z.array(z.object({ name: z.string(), rules: z.array(rule).min(1) })).min(1) })

const file = rulesFile.parse(parse(readFileSync(new URL('../../deploy/prometheus/alerts.yaml', import.meta.url), 'utf8')))
const rules = file.groups.flatMap((group) => group.rules)

let stack: Stack
beforeAll(async () => {
  stack = await startStack()
  // Traffic, so the histograms have series to show.
  await gql(stack, '{ home(userId: "1") { user { id } } }')
})
afterAll(async () => {
  await stack?.close()
})

describe('deploy/prometheus/alerts.yaml', () => {
  it('has an alert for an open breaker and for a p99 over budget', () => {
    expect(rules.some((r) => r.expr.includes('bff_circuit_breaker_state') && r.expr.includes('== 2'))).toBe(true)
    expect(rules.some((r) => r.expr.includes('histogram_quantile(0.99'))).toBe(true)
  })

  it('names only metrics that GET /metrics serves, with labels those metrics carry', async () => {
    const served = await scrape(stack.bffUrl)
    for (const { alert, expr } of rules) {
      for (const [, name, selector] of expr.matchAll(/\b((?:bff|http)_[a-z_]+)(\{[^}]*\})?/g)) {
        const family = (name as string).replace(/_(bucket|count|sum)$/, '')
        expect({ alert, family, served: served.has(family) }).toEqual({ alert, family, served: true })
        const labels = new Set((served.get(family)?.series ?? []).flatMap((s) => Object.keys(s.labels)))
        for (const [, label] of (selector ?? '').matchAll(/([a-z_]+)=/g)) {
          if (label === 'le' || family.includes('event_lag')) continue
          expect({ alert, family, label, known: labels.has(label as string) }).toEqual({ alert, family, label, known: true })
        }
      }
    }
  })
})
