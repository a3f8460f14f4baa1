import { assetUrl, type GraphiQLAsset } from './assets.js'
import type { GraphiQLExample } from './examples.js'

/** What the bootstrap script reads from the page. */
export interface GraphiQLPageConfig {
  readonly endpoint: string
  readonly subscriptionEndpoint: string | null
  readonly tabs: readonly GraphiQLExample[]
  /** Where the page gets a development token and for whom first; null: it carries none. */
  readonly devToken: { readonly path: string; readonly user: string } | null
}

/**
 * JSON safe inside a <script> data block: `<` escaped so no `</script>` or
 * `<!--` in an example can end the block early; U+2028/9 for old parsers.
 */
function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029')
}

/**
 * The GraphiQL HTML page: stylesheets and scripts by URL only, no inline
 * script or style, so it runs under the strict CSP the plugin sends.
 * Scripts load in `assets` order (blocking, at the end of body), which puts
 * React before GraphiQL and bootstrap.js last.
 */
export function renderGraphiQLPage(assets: readonly GraphiQLAsset[], config: GraphiQLPageConfig): string {
  const styles = assets
    .filter((asset) => asset.name.endsWith('.css'))
    .map((asset) => `    <link rel="stylesheet" href="${assetUrl(asset)}">`)
  const scripts = assets
    .filter((asset) => asset.name.endsWith('.js'))
    .map((asset) => `    <script src="${assetUrl(asset)}"></script>`)
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>GraphiQL · reactive-bff</title>
    <!-- An explicit empty icon: otherwise the browser asks for /favicon.ico and logs a 404. -->
    <link rel="icon" href="data:,">
${styles.join('\n')}
  </head>
  <body>
    <div id="graphiql">Loading GraphiQL…</div>
    <noscript>GraphiQL needs JavaScript.</noscript>
    <script id="graphiql-config" type="application/json">${scriptSafeJson(config)}</script>
${scripts.join('\n')}
  </body>
</html>
`
}
