/**
 * `node dist/bench/home/autocannon-child.js '<LoadOptions JSON>'`: autocannon in
 * its own process, the CPU-mode fallback when wrk is not installed. Load from
 * a separate process keeps the generator's CPU out of the measured server's
 * process and out of the bench's timers. Prints one JSON LoadResult line.
 */
import { isRecord } from '../lib/admin-client.js'
import { runAutocannon } from '../lib/autocannon-load.js'

const parsed: unknown = JSON.parse(process.argv[2] ?? 'null')
if (
  !isRecord(parsed) ||
  typeof parsed['origin'] !== 'string' ||
  (parsed['kind'] !== 'bff' && parsed['kind'] !== 'baseline' && parsed['kind'] !== 'floor') ||
  typeof parsed['connections'] !== 'number' ||
  typeof parsed['durationS'] !== 'number'
) {
  process.stderr.write('autocannon-child: expected {"origin","kind","connections","durationS"} as the first argument\n')
  process.exit(2)
}
const result = await runAutocannon({
  origin: parsed['origin'],
  kind: parsed['kind'],
  connections: parsed['connections'],
  durationS: parsed['durationS'],
  ...(typeof parsed['bearerToken'] === 'string' ? { bearerToken: parsed['bearerToken'] } : {}),
})
process.stdout.write(`${JSON.stringify({ ...result, generator: `${result.generator.replace(' (in the bench process)', '')} (separate process; wrk not found)` })}\n`)
