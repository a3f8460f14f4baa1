/**
 * The browser-side sources of the GraphiQL page, served as
 * /graphiql/assets/bootstrap.js and /graphiql/assets/page.css. They live in a
 * .ts module as strings because tsc copies no other files to dist/: a string
 * needs no copy step and no path lookup, from src/ under vitest and from
 * dist/src/ alike.
 */

/**
 * Mounts GraphiQL. An external file rather than an inline <script> so the page
 * runs under `script-src 'self'`. It reads its settings from the page's
 * `application/json` data block (never executed, so CSP does not apply to it)
 * and expects the React, ReactDOM and GraphiQL UMD globals loaded before it.
 * Plain ES2020: it runs untranspiled in the browser.
 */
export const BOOTSTRAP_JS = `'use strict';
(() => {
  const mount = document.getElementById('graphiql');
  if (typeof React === 'undefined' || typeof ReactDOM === 'undefined' || typeof GraphiQL === 'undefined') {
    mount.textContent = 'GraphiQL failed to load its scripts; see the browser console.';
    return;
  }
  const config = JSON.parse(document.getElementById('graphiql-config').textContent);
  const fetcherOptions = { url: new URL(config.endpoint, window.location.href).href };
  if (config.subscriptionEndpoint) {
    // Same host and port as the page, so it works behind whatever address the browser used.
    const socketUrl = new URL(config.subscriptionEndpoint, window.location.href);
    if (socketUrl.protocol === 'http:') socketUrl.protocol = 'ws:';
    if (socketUrl.protocol === 'https:') socketUrl.protocol = 'wss:';
    fetcherOptions.subscriptionUrl = socketUrl.href;
  }
  ReactDOM.createRoot(mount).render(
    React.createElement(GraphiQL, {
      fetcher: GraphiQL.createFetcher(fetcherOptions),
      defaultTabs: config.tabs,
      defaultEditorToolsVisibility: 'variables',
    }),
  );
})();
`

/** Full-height layout: GraphiQL fills its container, which must have a height. */
export const PAGE_CSS = `html, body, #graphiql {
  height: 100%;
  margin: 0;
}
`
