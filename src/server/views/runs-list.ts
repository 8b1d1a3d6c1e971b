import type { ConnectionHealth, RunSummary } from '../backend.ts';
import { html } from '../html.ts';
import type { Session } from '../sessions.ts';
import { runsTable } from './connections.ts';
import { page, path } from './layout.ts';

/** Every run of a connection, newest first (the connection page shows the latest 20). */
export function runsListPage(session: Session, c: ConnectionHealth, runs: RunSummary[], more: boolean): string {
  return page({ session }, `Runs · ${c.name}`, html`
<p class="crumbs"><a href="${path('connections', c.id)}">← ${c.name}</a></p>
<h1>Run history <span class="help">${c.name} · ${runs.length} ${runs.length === 1 ? 'run' : 'runs'}${more ? ', the latest shown' : ''}</span></h1>
<div class="scroll-x">${runsTable(c.id, runs)}</div>
${more ? html`<p class="help">Older runs are kept in the store; <code>kamflow runs --connection ${c.id}</code> lists them all.</p>` : ''}`);
}
