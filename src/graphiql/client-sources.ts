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
  const h = React.createElement;
  const root = ReactDOM.createRoot(mount);

  function fetcherFor(token) {
    const options = { url: new URL(config.endpoint, window.location.href).href };
    if (config.subscriptionEndpoint) {
      // Same host and port as the page, so it works behind whatever address the browser used.
      const socketUrl = new URL(config.subscriptionEndpoint, window.location.href);
      if (socketUrl.protocol === 'http:') socketUrl.protocol = 'ws:';
      if (socketUrl.protocol === 'https:') socketUrl.protocol = 'wss:';
      options.subscriptionUrl = socketUrl.href;
    }
    // Browsers cannot set headers on a websocket: the token goes in connection_init.
    if (token) options.wsConnectionParams = { authorization: 'Bearer ' + token };
    return GraphiQL.createFetcher(options);
  }

  // The development token bar: who the page is signed in as, and a way to be someone else.
  function tokenBar(session, message) {
    const input = h('input', { id: 'dev-token-user', defaultValue: session ? session.user : config.devToken.user, size: 6, 'aria-label': 'user id' });
    const switchUser = () => {
      const user = document.getElementById('dev-token-user').value.trim();
      if (user) signIn(user);
    };
    return h('div', { className: 'dev-token', role: 'status' },
      h('strong', null, 'Development token'),
      session ? ' for user ' + session.user + ', from the local identity provider (not for production). ' : ' ',
      message ? h('span', { className: 'dev-token-error' }, message + ' ') : null,
      h('label', null, 'Switch to user ', input),
      ' ',
      h('button', { id: 'dev-token-switch', type: 'button', onClick: switchUser }, 'Switch'),
    );
  }

  function render(session, message) {
    const headers = session ? JSON.stringify({ Authorization: 'Bearer ' + session.token }, null, 2) : undefined;
    const props = {
      // A new user is a new GraphiQL: its fetcher carries the new websocket token.
      key: session ? session.user : 'anonymous',
      fetcher: fetcherFor(session && session.token),
      defaultTabs: config.tabs.map((tab) => (headers ? Object.assign({}, tab, { headers }) : tab)),
      defaultEditorToolsVisibility: headers ? 'headers' : 'variables',
    };
    if (headers) props.headers = headers;
    const graphiql = h(GraphiQL, props);
    root.render(config.devToken ? h(React.Fragment, null, tokenBar(session, message), graphiql) : graphiql);
  }

  function signIn(user) {
    const url = new URL(config.devToken.path, window.location.href);
    url.searchParams.set('user', user);
    fetch(url.href)
      .then((response) => (response.ok ? response.json() : Promise.reject(new Error('status ' + response.status))))
      .then((session) => render(session, null))
      .catch((error) => render(null, 'No development token (' + error.message + ').'));
  }

  if (config.devToken) signIn(config.devToken.user);
  else render(null, null);
})();
`

/** Full-height layout: GraphiQL fills its container, which must have a height. */
export const PAGE_CSS = `html, body, #graphiql {
  height: 100%;
  margin: 0;
}
#graphiql {
  display: flex;
  flex-direction: column;
}
#graphiql > .graphiql-container {
  flex: 1;
  min-height: 0;
}
.dev-token {
  padding: 4px 12px;
  font: 13px system-ui, sans-serif;
  background: #fff4d6;
  border-bottom: 1px solid #e0c36a;
}
.dev-token-error {
  color: #a00;
}
`
