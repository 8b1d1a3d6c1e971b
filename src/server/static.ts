/** The console's only stylesheet, served from /static/console.css (CSP allows no inline style). */
export const CONSOLE_CSS = `
:root { --fg:#1d2430; --muted:#5b6575; --line:#d6dbe3; --bg:#f6f7f9; --accent:#1f5fbf; }
* { box-sizing: border-box; }
body { margin:0; font:15px/1.45 system-ui, sans-serif; color:var(--fg); background:var(--bg); }
header.top { display:flex; gap:1.5rem; align-items:center; padding:.6rem 1.5rem; background:#fff; border-bottom:1px solid var(--line); }
.brand { font-weight:700; color:var(--accent); text-decoration:none; }
header nav { flex:1; }
form.logout { display:flex; gap:.5rem; align-items:center; color:var(--muted); }
main { max-width:1200px; margin:1.5rem auto; padding:0 1.5rem; }
h1 { font-size:1.5rem; margin:.2rem 0 1rem; } h2 { font-size:1.15rem; margin:1.6rem 0 .6rem; }
table { border-collapse:collapse; background:#fff; width:100%; }
th, td { border:1px solid var(--line); padding:.35rem .55rem; text-align:left; vertical-align:top; }
th { background:#eef1f5; font-weight:600; }
td.num, th.num { text-align:right; font-variant-numeric:tabular-nums; white-space:nowrap; }
h1 .help { overflow-wrap:anywhere; }
.flash { padding:.6rem .9rem; border-radius:4px; } .flash.ok { background:#e3f4e8; } .flash.error, .errors { background:#fdecea; }
.errors { padding:.6rem .9rem; border-radius:4px; }
.field { margin:.4rem 0; display:grid; grid-template-columns:18rem 14rem 1fr; gap:.6rem; align-items:start; }
.field .error { color:#b3261e; font-weight:600; } .field.invalid input, .field.invalid select { border-color:#b3261e; outline:1px solid #b3261e; }
.help { color:var(--muted); font-size:.85rem; }
fieldset { background:#fff; border:1px solid var(--line); margin:1rem 0; }
button, .button { background:var(--accent); color:#fff; border:0; border-radius:4px; padding:.4rem .9rem; cursor:pointer; font:inherit; text-decoration:none; display:inline-block; }
button.secondary, .button.secondary { background:#59626f; } button.danger { background:#b3261e; }
.actions { display:flex; gap:.6rem; flex-wrap:wrap; margin:.8rem 0; } .actions form { margin:0; }
.status-ok, .status-succeeded { color:#1b7a3a; } .status-awaiting-approval { color:#8a5a00; font-weight:600; }
.awaiting { padding:.6rem .9rem; border-radius:4px; background:#fff4d6; border-left:4px solid #c98a00; }
table.plan td.value { overflow-wrap:anywhere; max-width:28rem; } .status-failing, .status-failed, .status-disconnected { color:#b3261e; }
.matrix-scroll { overflow:auto; max-width:100%; max-height:75vh; border:1px solid var(--line); background:#fff; }
.matrix-scroll:focus { outline:2px solid var(--accent); }
table.matrix { width:max-content; border-collapse:separate; border-spacing:0; }
.matrix th, .matrix td { border:0; border-right:1px solid var(--line); border-bottom:1px solid var(--line); }
.matrix thead th { position:sticky; top:0; z-index:2; max-width:7.5rem; font-size:.78rem; line-height:1.2; vertical-align:bottom; overflow-wrap:anywhere; }
.matrix tbody th.entity { position:sticky; left:0; z-index:1; background:#fff; font-weight:500; font-size:.85rem;
  max-width:15rem; min-width:9rem; white-space:nowrap; overflow:hidden; text-overflow:ellipsis; }
.matrix thead th.corner { left:0; z-index:3; }
.matrix th.depth-1 { padding-left:1.1rem; } .matrix th.depth-2 { padding-left:1.7rem; } .matrix th.depth-3, .matrix th.depth-4 { padding-left:2.3rem; }
.matrix tbody td { text-align:center; vertical-align:middle; font-size:.75rem; min-width:3.4rem; height:1.9rem; padding:.2rem .3rem; white-space:nowrap; font-variant-numeric:tabular-nums; }
.state-active { background:#2e9d57; color:#fff; } .state-open { background:#3b7dd8; color:#fff; }
.state-lapsed { background:#e0a526; } .state-lost { background:#c8534a; color:#fff; } .state-whitespace { background:#fff; }
.state-whitespace.suggested.peer { background:#fff5cc; } .state-whitespace.suggested.sister { background:#efe6ff; }
.mark { font-size:.8rem; margin-left:.15rem; } .mark.peer { color:#a37a00; } .mark.sister { color:#6a3fc0; }
.state-active .mark, .state-open .mark, .state-lost .mark { color:#fff; }
.legend { display:flex; gap:.5rem 1rem; flex-wrap:wrap; margin:.5rem 0; padding:0; list-style:none; font-size:.85rem; }
.legend li { display:flex; align-items:center; gap:.35rem; }
.legend .swatch { width:1.2rem; height:1.2rem; border:1px solid var(--line); display:inline-flex; align-items:center; justify-content:center; flex:none; }
.legend .swatch .mark { margin:0; }
.scroll-x { overflow-x:auto; max-width:100%; } table.record-errors td { overflow-wrap:anywhere; }
dl.facts { display:grid; grid-template-columns:repeat(auto-fill, minmax(11rem, 1fr)); gap:.5rem; margin:0 0 1rem; }
dl.facts div { background:#fff; border:1px solid var(--line); border-radius:4px; padding:.4rem .6rem; }
dl.facts dt { color:var(--muted); font-size:.8rem; } dl.facts dd { margin:0; font-weight:600; font-variant-numeric:tabular-nums; }
.warn { background:#fff4e0; border-left:3px solid #e0a526; padding:.4rem .7rem; }
h3 { font-size:1rem; margin:1rem 0 .4rem; }
figure.chart { margin:0 0 1rem; background:#fff; border:1px solid var(--line); border-radius:4px; padding:.6rem; max-width:48rem; }
svg.pareto { width:100%; height:auto; display:block; }
svg.pareto .grid { stroke:#e3e7ee; stroke-width:1; } svg.pareto .axis { fill:var(--muted); font-size:15px; }
svg.pareto .area { fill:#1f5fbf; fill-opacity:.08; } svg.pareto .curve { fill:none; stroke:#1f5fbf; stroke-width:2.5; }
svg.pareto .key { fill:#e0a526; stroke:#fff; stroke-width:1.5; }
svg.pareto .top line { stroke:#b3261e; stroke-dasharray:4 3; } svg.pareto .top circle { fill:#b3261e; }
svg.pareto .top text { fill:#b3261e; font-size:17px; font-weight:600; } svg.pareto .hhi { fill:var(--fg); font-size:18px; font-weight:600; }
figcaption { font-size:.85rem; color:var(--muted); margin-top:.3rem; display:flex; flex-wrap:wrap; gap:.2rem .6rem; align-items:center; }
figcaption .swatch { width:.9rem; height:.9rem; display:inline-block; border-radius:50%; vertical-align:middle; }
figcaption .swatch.curve { background:#1f5fbf; border-radius:2px; height:.25rem; } figcaption .swatch.key { background:#e0a526; } figcaption .swatch.top { background:#b3261e; }
.risk-counts { list-style:none; padding:0; } .risk-counts > li { background:#fff; border:1px solid var(--line); border-radius:4px; margin:.3rem 0; padding:.4rem .7rem; }
.risk-counts summary { cursor:pointer; } .risk-counts .count { display:inline-block; min-width:2.5rem; color:#b3261e; }
.crumbs { margin:.2rem 0; } nav.toc { margin:.2rem 0 .8rem; }
.card { background:#fff; border:1px solid var(--line); padding:1rem; border-radius:4px; }
.login { max-width:24rem; margin:3rem auto; } .login label { display:block; margin:.6rem 0 .2rem; } .login input { width:100%; padding:.4rem; }
@media (max-width: 640px) {
  header.top { flex-wrap:wrap; gap:.5rem 1rem; padding:.5rem .8rem; }
  main { margin:1rem auto; padding:0 .8rem; }
  h1 { font-size:1.25rem; }
  .field { grid-template-columns:1fr; gap:.2rem; }
  .matrix tbody th.entity { max-width:8.5rem; min-width:6rem; }
  .matrix thead th { max-width:5rem; font-size:.72rem; }
  .matrix-scroll { max-height:70vh; }
  table:not(.matrix) { font-size:.85rem; }
}
`;
