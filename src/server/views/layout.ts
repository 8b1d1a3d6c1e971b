import { html, type SafeHtml } from '../html.ts';
import type { Session } from '../sessions.ts';

export interface PageContext {
  session: Session | null;
  /** Reload the page every so many seconds (a run is going); the console runs no script. */
  refreshSeconds?: number;
}

export function csrfField(session: Session): SafeHtml {
  return html`<input type="hidden" name="_csrf" value="${session.csrfToken}">`;
}

/**
 * The whole document around a page body. Rendering a page consumes the session's flash
 * message: it is shown exactly once, on the first page after the action that set it.
 */
export function page(ctx: PageContext, title: string, body: SafeHtml): string {
  const s = ctx.session;
  const flash = s?.flash ?? null;
  if (s) s.flash = null;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
${ctx.refreshSeconds ? html`<meta http-equiv="refresh" content="${ctx.refreshSeconds}">` : ''}
<title>${title} · Kamflow</title>
<link rel="stylesheet" href="/static/console.css">
</head>
<body>
<header class="top">
  <a class="brand" href="/">Kamflow</a>
  ${s?.user
    ? html`<nav><a href="/">Connections</a></nav>
  <form class="logout" method="post" action="/logout">${csrfField(s)}<span>${s.user}</span> <button type="submit">Log out</button></form>`
    : ''}
</header>
<main>
${flash ? html`<p class="flash ${flash.kind}" role="status">${flash.message}</p>` : ''}
${body}
</main>
</body>
</html>
`.value;
}

export function formatDate(iso: string | null): string {
  if (!iso) return '—';
  return iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

// One formatter per precision, made once: `toLocaleString` with options builds a new
// Intl.NumberFormat on every call, which made a large family page take seconds.
const NUMBER_FORMATS = new Map<number, Intl.NumberFormat>();
const COMPACT = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });

export function formatNumber(n: number, digits = 0): string {
  let f = NUMBER_FORMATS.get(digits);
  if (!f) {
    f = new Intl.NumberFormat('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
    NUMBER_FORMATS.set(digits, f);
  }
  return f.format(n);
}

/** 1.2K, 35K, 4.1M: for the matrix cells, where the full amount is in the cell's title. */
export function formatCompact(n: number): string {
  return COMPACT.format(n);
}

export function formatPercent(fraction: number | null): string {
  return fraction === null ? '—' : `${(fraction * 100).toFixed(1)}%`;
}

export function path(...parts: string[]): string {
  return `/${parts.map(encodeURIComponent).join('/')}`;
}
