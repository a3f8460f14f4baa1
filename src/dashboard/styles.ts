/** The dashboard's stylesheet, served as a file (style-src 'self'). Breaker colours follow Hystrix: green, amber, red. */
export const DASHBOARD_CSS = `
:root { color-scheme: dark; --bg: #11151c; --panel: #1b212b; --text: #d8dee9; --muted: #8a94a6; --ok: #3fb950; --warn: #d29922; --bad: #f85149; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.4 system-ui, sans-serif; background: var(--bg); color: var(--text); }
.top { display: flex; gap: 24px; align-items: baseline; padding: 12px 20px; background: var(--panel); border-bottom: 1px solid #2b3340; }
.top h1 { font-size: 18px; margin: 0; }
#status { margin-left: auto; padding: 2px 8px; border-radius: 4px; background: #2b3340; }
#status[data-state="live"] { background: #1f3d29; color: var(--ok); }
#status[data-state="reconnecting"], #status[data-state="locked"] { background: #3d2f16; color: var(--warn); }
main { padding: 12px 20px; }
h2 { font-size: 14px; text-transform: uppercase; letter-spacing: .05em; color: var(--muted); margin: 16px 0 8px; }
h2 small { text-transform: none; letter-spacing: 0; margin-left: 8px; }
.tiles { display: grid; grid-template-columns: repeat(auto-fill, minmax(240px, 1fr)); gap: 12px; }
.tile { background: var(--panel); border-radius: 6px; padding: 10px 12px; border-top: 4px solid var(--ok); }
.tile[data-breaker="half-open"] { border-top-color: var(--warn); }
.tile[data-breaker="open"] { border-top-color: var(--bad); background: #2a1b1e; }
.tile header { display: flex; justify-content: space-between; align-items: center; }
.tile h3 { margin: 0; font-size: 15px; }
.badge { font-size: 12px; padding: 1px 6px; border-radius: 3px; background: #1f3d29; color: var(--ok); }
.tile[data-breaker="half-open"] .badge { background: #3d2f16; color: var(--warn); }
.tile[data-breaker="open"] .badge { background: #4a1d20; color: var(--bad); }
.rate { font-size: 22px; font-weight: 600; margin: 6px 0 2px; }
.spark { width: 100%; height: 36px; background: #151a22; border-radius: 3px; }
.spark polyline { fill: none; stroke-width: 1.2; vector-effect: non-scaling-stroke; }
.spark .p99 { stroke: #e3b341; }
.spark .p50 { stroke: #58a6ff; }
dl { display: grid; grid-template-columns: minmax(0, 1fr) auto; gap: 2px 8px; margin: 8px 0 0; }
dd { white-space: nowrap; }
dt { color: var(--muted); }
dd { margin: 0; text-align: right; font-variant-numeric: tabular-nums; }
.panels { display: grid; grid-template-columns: 2fr 1fr 1fr; gap: 12px; }
.panel { background: var(--panel); border-radius: 6px; padding: 4px 12px 12px; }
table { width: 100%; border-collapse: collapse; font-variant-numeric: tabular-nums; }
th, td { text-align: right; padding: 3px 6px; }
th:first-child, td:first-child { text-align: left; }
th { color: var(--muted); font-weight: 500; }
#token-form { margin: 16px 20px; padding: 12px; background: #3d2f16; border-radius: 6px; }
#token-form input { width: 60%; padding: 6px; background: #11151c; color: var(--text); border: 1px solid #2b3340; }
`
