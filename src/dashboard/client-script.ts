/**
 * The dashboard's browser script, served as a file of ours (script-src
 * 'self': no inline script). Plain ES2020, no framework: it reads the
 * instance's snapshot stream (server-sent events read through fetch, so a
 * token travels in the Authorization header, never in a URL) and keeps 60
 * points per service for the sparklines. Element attributes (`data-service`,
 * `data-breaker`) are what the browser test reads.
 */
export const DASHBOARD_JS = String.raw`(() => {
  'use strict'
  const config = JSON.parse(document.getElementById('dashboard-config').textContent)
  const POINTS = 60
  const SVG = 'http://www.w3.org/2000/svg'
  const tiles = new Map()
  let previous = null
  let token = config.token
  const byId = (id) => document.getElementById(id)
  const el = (tag, className, text) => {
    const node = document.createElement(tag)
    if (className) node.className = className
    if (text !== undefined) node.textContent = text
    return node
  }
  const fmt = (n, digits = 0) => (n === null || n === undefined || !Number.isFinite(n) ? '–' : n.toFixed(digits))
  byId('instance').textContent = config.instance
  const setStatus = (text) => { byId('status').textContent = text; byId('status').dataset.state = text }

  function askForToken(message) {
    byId('token-message').textContent = message
    byId('token-form').hidden = false
    setStatus('locked')
  }
  byId('token-form').addEventListener('submit', (event) => {
    event.preventDefault()
    const input = byId('token-input')
    token = input.value.trim()
    input.value = ''
    byId('token-form').hidden = true
    connect()
  })

  function tile(name) {
    let t = tiles.get(name)
    if (t) return t
    const root = el('article', 'tile')
    root.dataset.service = name
    const head = el('header')
    head.append(el('h3', '', name))
    const badge = el('span', 'badge')
    head.append(badge)
    const rate = el('div', 'rate')
    const svg = document.createElementNS(SVG, 'svg')
    svg.setAttribute('viewBox', '0 0 ' + POINTS + ' 30')
    svg.setAttribute('preserveAspectRatio', 'none')
    svg.classList.add('spark')
    const p99Line = document.createElementNS(SVG, 'polyline')
    p99Line.classList.add('p99')
    const p50Line = document.createElementNS(SVG, 'polyline')
    p50Line.classList.add('p50')
    svg.append(p99Line, p50Line)
    const stats = el('dl')
    const field = (label) => { stats.append(el('dt', '', label)); const dd = el('dd'); stats.append(dd); return dd }
    t = { root, badge, rate, p50Line, p99Line, errors: field('errors'), latency: field('p50 / p99 ms'), bulkhead: field('in flight / queued'), budget: field('retries / budget'), refusals: field('budget refusals'), history: [] }
    root.append(head, rate, svg, stats)
    byId('services').append(root)
    tiles.set(name, t)
    return t
  }

  function line(points, key, max) {
    return points.map((p, i) => (POINTS - points.length + i) + ',' + (30 - (30 * (p[key] ?? 0)) / max).toFixed(1)).join(' ')
  }

  function render(snap) {
    const seconds = previous === null ? 1 : Math.max(0.001, (snap.at - previous.at) / 1000)
    for (const [name, s] of Object.entries(snap.services)) {
      const t = tile(name)
      const before = previous?.services[name]
      const attempts = before ? s.attempts - before.attempts : 0
      const failures = before ? s.failures - before.failures : 0
      t.root.dataset.breaker = s.breaker
      t.badge.textContent = s.breaker
      t.rate.textContent = fmt(attempts / seconds, 1) + ' calls/s'
      t.errors.textContent = attempts === 0 ? '–' : fmt((100 * failures) / attempts, 1) + ' %'
      t.latency.textContent = fmt(s.p50, 1) + ' / ' + fmt(s.p99, 1)
      t.bulkhead.textContent = s.inFlight + ' / ' + s.queued
      t.budget.textContent = s.retriesInFlight + ' / ' + fmt(s.retryLimit, 1)
      t.refusals.textContent = String(s.budgetRefusals)
      t.history.push({ p50: s.p50, p99: s.p99 })
      if (t.history.length > POINTS) t.history.shift()
      const max = Math.max(1, ...t.history.map((p) => p.p99 ?? 0))
      t.p99Line.setAttribute('points', line(t.history, 'p99', max))
      t.p50Line.setAttribute('points', line(t.history, 'p50', max))
    }
    const cache = byId('cache-rows')
    cache.replaceChildren(...Object.entries(snap.cache).map(([resource, c]) => {
      const row = el('tr')
      const lookups = c.hits + c.misses + c.stale
      row.append(el('td', '', resource), el('td', '', lookups === 0 ? '–' : fmt((100 * (c.hits + c.stale)) / lookups, 1) + ' %'), el('td', '', String(lookups)), el('td', '', String(c.errors)))
      return row
    }))
    byId('cache-breaker').textContent = snap.cacheBreaker ?? 'no Redis'
    const subs = snap.subscriptions
    const delivered = previous ? subs.delivered - previous.subscriptions.delivered : 0
    byId('subs-connections').textContent = String(subs.connections)
    byId('subs-active').textContent = String(subs.active)
    byId('subs-rate').textContent = fmt(delivered / seconds, 1) + ' /s'
    byId('subs-dropped').textContent = String(subs.dropped)
    byId('subs-lag').textContent = fmt(subs.lagMs, 0) + ' ms'
    byId('cpu').textContent = fmt(snap.cpu * 100, 0) + ' %'
    byId('loop').textContent = fmt(snap.eventLoopDelayMs.p50, 1) + ' / ' + fmt(snap.eventLoopDelayMs.p99, 1) + ' ms'
    byId('updated').textContent = new Date(snap.at).toLocaleTimeString()
    previous = snap
  }

  let retryTimer = null
  function retry() {
    setStatus('reconnecting')
    if (retryTimer === null) retryTimer = setTimeout(() => { retryTimer = null; connect() }, 1000)
  }

  async function connect() {
    const headers = { accept: 'text/event-stream' }
    if (token) headers.authorization = 'Bearer ' + token
    let response
    try {
      response = await fetch(config.stream, { headers, cache: 'no-store' })
    } catch {
      return retry()
    }
    if (response.status === 401 || response.status === 403) {
      await response.body?.cancel()
      return askForToken(response.status === 401 ? 'This dashboard needs a token with the admin scope.' : 'That token does not carry the admin scope.')
    }
    if (!response.ok || !response.body) return retry()
    setStatus('live')
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader()
    let buffer = ''
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ done: true, value: undefined }))
      if (done) break
      buffer += value
      let end
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const frame = buffer.slice(0, end)
        buffer = buffer.slice(end + 2)
        const data = frame.split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('\n')
        if (data) render(JSON.parse(data))
      }
    }
    retry()
  }

  if (config.requireToken && !token) askForToken('This dashboard needs a token with the admin scope.')
  else connect()
})()
`
