import parsePrometheusTextFormat from 'parse-prometheus-text-format'
import { request } from 'undici'

export interface Series {
  readonly labels: Record<string, string>
  /** Counter or gauge value; a histogram's count. */
  readonly value: number
}

/** GET /metrics, parsed by a real Prometheus text-format parser, as family name → series. */
export async function scrape(bffUrl: string): Promise<Map<string, { readonly type: string; readonly series: Series[] }>> {
  const response = await request(`${bffUrl}/metrics`)
  if (response.statusCode !== 200) throw new Error(`/metrics answered ${response.statusCode}`)
  const contentType = String(response.headers['content-type'])
  if (!contentType.startsWith('text/plain')) throw new Error(`/metrics content-type ${contentType}`)
  const text = await response.body.text()
  // Parsed as served first: the parser throws on any line that is not valid exposition format.
  const types = new Map(parsePrometheusTextFormat(text).map((family) => [family.name, family.type]))
  // Then without histogram TYPE lines, reading each histogram's `_count` series: the parser folds
  // a labelled histogram's series into one (it keeps only unlabelled ones apart), while untyped
  // every `_count` line comes out with its labels (as a family of its own per label set).
  const families = parsePrometheusTextFormat(text.replace(/^# TYPE \S+ histogram$/gm, ''))
  const byName = new Map<string, { type: string; series: Series[] }>()
  for (const family of families) {
    const base = family.name.replace(/_(count|sum|bucket)$/, '')
    const histogram = types.get(base) === 'HISTOGRAM'
    if (histogram && !family.name.endsWith('_count')) continue
    const name = histogram ? base : family.name
    const entry = byName.get(name) ?? { type: types.get(name) ?? family.type, series: [] }
    entry.series.push(...family.metrics.map((m) => ({ labels: m.labels ?? {}, value: Number(m.value) })))
    byName.set(name, entry)
  }
  return byName
}

/** Sum of the series of `family` whose labels include `match`. */
export function total(metrics: Awaited<ReturnType<typeof scrape>>, family: string, match: Record<string, string> = {}): number {
  const found = metrics.get(family)
  if (found === undefined) throw new Error(`no metric family ${family}`)
  return found.series.filter((s) => Object.entries(match).every(([k, v]) => s.labels[k] === v)).reduce((sum, s) => sum + s.value, 0)
}
