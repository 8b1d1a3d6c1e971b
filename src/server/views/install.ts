import type { CrmKind } from '../../../connectors/connector.ts';
import { html } from '../html.ts';
import type { Session } from '../sessions.ts';
import { page } from './layout.ts';

export const CRM_LABEL: Record<CrmKind, string> = { salesforce: 'Salesforce', hubspot: 'HubSpot' };

export interface InstallProblem {
  status: number;
  title: string;
  /** What happened, in the admin's words. */
  what: string;
  /** What to do about it. */
  todo: string;
}

export function installErrorPage(session: Session | null, crm: CrmKind, problem: InstallProblem, detail: string | null = null): string {
  return page({ session }, problem.title, html`
<div class="card install-error">
  <h1>${CRM_LABEL[crm]} install did not finish: ${problem.title}</h1>
  <p>${problem.what}</p>
  ${detail ? html`<p class="help">${CRM_LABEL[crm]} said: ${detail}</p>` : ''}
  <p><strong>What to do:</strong> ${problem.todo}</p>
  <p>Nothing was stored for this attempt.</p>
  <p><a href="/">Back to the connections</a></p>
</div>`);
}
