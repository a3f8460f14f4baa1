/**
 * The floor plan of src/, checked in `npm test` (test/unit/layering.test.ts) and
 * by `npm run lint:layers`. Imports run one way, top to bottom:
 *
 *   server.ts                     the only file that listens
 *   app.ts                        buildApp: registers the plugins
 *   plugins/                      wiring: one resource per plugin
 *   http/, subscriptions/, graphiql/, dashboard/   transports, the GraphiQL page, the dashboard page
 *   graphql/                      schema, resolvers, the one operation-context builder
 *   data/, edge/                  per-request data layer, resource table, invalidation; cost, operation limits, rate limits, persisted queries
 *   cache/, downstream/, events/, identity/  entity cache + stores; clients + caller; event log; who is asking
 *   telemetry/                    metrics and spans every layer may report to
 *   lib/, config/                 shared pieces: no project knowledge; the validated config
 *   errors.ts                     the error registry
 *
 * A folder may import its own files and any folder on a lower line, never one
 * on its own line or above. A new feature finds its line here; if it has none
 * it gets its own folder at the right height, never an arrow back up.
 */
const LEVELS = [
  ['server.ts'],
  ['app.ts'],
  ['plugins/'],
  ['http/', 'subscriptions/', 'graphiql/', 'dashboard/'],
  ['graphql/'],
  ['data/', 'edge/'],
  ['cache/', 'downstream/', 'events/', 'identity/'],
  ['telemetry/'],
  ['lib/', 'config/'],
  ['errors.ts'],
]

const escape = (part) => part.replace(/[.]/g, '\\.')
const pathOf = (part) => `^src/${escape(part)}${part.endsWith('/') ? '' : '$'}`
const anyOf = (parts) => parts.map(pathOf).join('|')

/** For each folder: no import of a sibling on its line, nor of anything on a line above. */
const layerRules = LEVELS.flatMap((level, index) =>
  level.map((part) => {
    const forbidden = [...LEVELS.slice(0, index).flat(), ...level.filter((other) => other !== part)]
    return {
      name: `layer:${part}`,
      comment: `src/${part} may only import from lower layers: ${LEVELS.slice(index + 1).flat().join(', ') || '(none)'}`,
      severity: 'error',
      from: { path: pathOf(part) },
      to: { path: anyOf(forbidden) },
    }
  }),
).filter((rule) => rule.to.path !== '')

module.exports = {

  forbidden: [
    {
      name: 'no-circular',
      comment: 'No module of src/ may depend on itself through others.',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'src-not-to-mocks',
      comment: 'The BFF never imports the fake services (nor tests, benchmarks or scripts).',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(mocks|test|bench|scripts)/' },
    },
    {
      name: 'mocks-only-to-events',
      comment: 'mocks/ owns its data types; from src/ it may use only the event log (interface and implementations, src/events/).',
      severity: 'error',
      from: { path: '^mocks/' },
      to: { path: '^src/', pathNot: '^src/events/' },
    },
    {
      name: 'src-files-in-a-layer',
      comment: 'Every module of src/ belongs to a layer of LEVELS (add a new folder there first).',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^src/', pathNot: anyOf(LEVELS.flat()) },
    },
    {
      name: 'edge-below-its-height',
      comment: 'src/edge/ (persisted queries, limits) sits at the data height but imports only lib/, config/ and errors.ts: stores are handed to it.',
      severity: 'error',
      from: { path: '^src/edge/' },
      to: { path: '^src/', pathNot: '^src/(edge/|lib/|config/|errors\\.ts$)' },
    },
    ...layerRules,
  ],
  options: {
    includeOnly: '^(src|mocks)/',
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
}
