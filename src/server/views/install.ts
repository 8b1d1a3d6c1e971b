import { html } from '../html.ts';
import type { Session } from '../sessions.ts';
import { page } from './layout.ts';

export interface InstallProblem {
  status: number;
  title: string;
  /** What happened, in the admin's words. */
  what: string;
  /** What to do about it. */
  todo: string;
}

export function installErrorPage(session: Session | null, label: string, problem: InstallProblem, detail: string | null = null): string {
  return page({ session }, problem.title, html`
<div class="card install-error">
  <h1>${label} install did not finish: ${problem.title}</h1>
  <p>${problem.what}</p>
  ${detail ? html`<p class="help">${label} said: ${detail}</p>` : ''}
  <p><strong>What to do:</strong> ${problem.todo}</p>
  <p>Nothing was stored for this attempt.</p>
  <p><a href="/">Back to the connections</a></p>
</div>`);
}
