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
td.num { text-align:right; font-variant-numeric:tabular-nums; }
.flash { padding:.6rem .9rem; border-radius:4px; } .flash.ok { background:#e3f4e8; } .flash.error, .errors { background:#fdecea; }
.errors { padding:.6rem .9rem; border-radius:4px; }
.field { margin:.4rem 0; display:grid; grid-template-columns:18rem 14rem 1fr; gap:.6rem; align-items:start; }
.field .error { color:#b3261e; font-weight:600; } .field.invalid input, .field.invalid select { border-color:#b3261e; outline:1px solid #b3261e; }
.help { color:var(--muted); font-size:.85rem; }
fieldset { background:#fff; border:1px solid var(--line); margin:1rem 0; }
button, .button { background:var(--accent); color:#fff; border:0; border-radius:4px; padding:.4rem .9rem; cursor:pointer; font:inherit; text-decoration:none; display:inline-block; }
button.secondary { background:#59626f; } button.danger { background:#b3261e; }
.actions { display:flex; gap:.6rem; flex-wrap:wrap; margin:.8rem 0; } .actions form { margin:0; }
.status-ok, .status-succeeded { color:#1b7a3a; } .status-failing, .status-failed, .status-disconnected { color:#b3261e; }
.matrix td.cell { text-align:center; font-size:.8rem; min-width:6rem; }
.state-active { background:#2e9d57; color:#fff; } .state-open { background:#3b7dd8; color:#fff; }
.state-lapsed { background:#e0a526; } .state-lost { background:#c8534a; color:#fff; } .state-whitespace { background:#fff; }
.state-whitespace.suggested { background:#fff5cc; outline:2px dashed #d4a200; outline-offset:-3px; }
.legend { display:flex; gap:.8rem; flex-wrap:wrap; margin:.5rem 0 1rem; padding:0; list-style:none; }
.legend li { display:flex; align-items:center; gap:.35rem; } .legend .swatch { width:1.1rem; height:1.1rem; border:1px solid var(--line); display:inline-block; }
.card { background:#fff; border:1px solid var(--line); padding:1rem; border-radius:4px; }
.login { max-width:24rem; margin:3rem auto; } .login label { display:block; margin:.6rem 0 .2rem; } .login input { width:100%; padding:.4rem; }
`;
