import { createHash } from 'node:crypto'
import { DASHBOARD_JS } from './client-script.js'
import { DASHBOARD_CSS } from './styles.js'

/** Where the page is served; its assets and stream live below it. */
export const DASHBOARD_PATH = '/dashboard'
export const DASHBOARD_STREAM_PATH = `${DASHBOARD_PATH}/stream`

/** script-src and style-src 'self' only: the page has no inline script or style. */
export const DASHBOARD_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ')

export interface DashboardAsset {
  readonly name: string
  readonly contentType: string
  readonly body: Buffer
  readonly hash: string
}

const asset = (name: string, contentType: string, text: string): DashboardAsset => {
  const body = Buffer.from(text, 'utf8')
  return { name, contentType, body, hash: createHash('sha256').update(body).digest('hex').slice(0, 16) }
}

export const DASHBOARD_ASSETS: readonly DashboardAsset[] = [
  asset('dashboard.js', 'text/javascript; charset=utf-8', DASHBOARD_JS),
  asset('dashboard.css', 'text/css; charset=utf-8', DASHBOARD_CSS),
]

export const assetUrl = (a: DashboardAsset): string => `${DASHBOARD_PATH}/assets/${a.name}?v=${a.hash}`

export interface DashboardPageConfig {
  readonly instance: string
  readonly stream: string
  /** A token the page sends without asking (the development stack's admin token); null in production. */
  readonly token: string | null
  /** Ask for a token before connecting (identity is on and none was given). */
  readonly requireToken: boolean
}

/** JSON safe inside a <script> data block (see graphiql/page.ts). */
const scriptSafeJson = (value: unknown): string =>
  JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026')

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

export function renderDashboardPage(config: DashboardPageConfig): string {
  const [js, css] = DASHBOARD_ASSETS as [DashboardAsset, DashboardAsset]
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <meta name="referrer" content="no-referrer">
    <title>${escapeHtml(config.instance)} · reactive-bff dashboard</title>
    <link rel="icon" href="data:,">
    <link rel="stylesheet" href="${assetUrl(css)}">
    <script id="dashboard-config" type="application/json">${scriptSafeJson(config)}</script>
    <script src="${assetUrl(js)}" defer></script>
  </head>
  <body>
    <header class="top">
      <h1>reactive-bff</h1>
      <span>instance <b id="instance"></b></span>
      <span>updated <b id="updated">–</b></span>
      <span id="status" data-state="connecting">connecting</span>
    </header>
    <form id="token-form" hidden autocomplete="off">
      <p id="token-message"></p>
      <input id="token-input" type="password" placeholder="bearer token" autocomplete="off" spellcheck="false">
      <button type="submit">Connect</button>
    </form>
    <main>
      <h2>Downstream services</h2>
      <section id="services" class="tiles"></section>
      <section class="panels">
        <div class="panel">
          <h2>Cache <small>store breaker: <b id="cache-breaker">–</b></small></h2>
          <table><thead><tr><th>resource</th><th>hit ratio</th><th>lookups</th><th>errors</th></tr></thead><tbody id="cache-rows"></tbody></table>
        </div>
        <div class="panel">
          <h2>Subscriptions</h2>
          <dl><dt>connections</dt><dd id="subs-connections">–</dd><dt>active</dt><dd id="subs-active">–</dd><dt>events delivered</dt><dd id="subs-rate">–</dd><dt>dropped</dt><dd id="subs-dropped">–</dd><dt>last event lag</dt><dd id="subs-lag">–</dd></dl>
        </div>
        <div class="panel">
          <h2>This instance</h2>
          <dl><dt>CPU</dt><dd id="cpu">–</dd><dt>event-loop delay p50 / p99</dt><dd id="loop">–</dd></dl>
        </div>
      </section>
    </main>
  </body>
</html>
`
}
