import { basename, dirname } from 'node:path';
import type { CrmKind } from './environment.ts';
import { count, heading, painter, table, type Painter } from '../cli/report/format.ts';
import { renderReport, reportContext } from '../cli/report.ts';
import type { OutputFieldKey } from '../model/output-fields.ts';
import { salesforceFieldName } from '../sandbox/index.ts';
import { formatUsage } from '../cli/sync-support.ts';
import { totalCalls } from './calls.ts';
import type { CrmDemo, CrmRun, DemoResult } from './run.ts';

/** The demo's printed story, for a terminal 100 columns wide. Pure. */

export interface DemoRenderOptions {
  color: boolean;
  /** Families listed per report section. */
  limit?: number;
}

const LABEL: Record<CrmKind, string> = { salesforce: 'Salesforce', hubspot: 'HubSpot' };

function fieldName(crm: CrmKind, key: OutputFieldKey): string {
  return crm === 'salesforce' ? salesforceFieldName(key) : key;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

export function renderIntro(r: Pick<DemoResult, 'options' | 'org' | 'simulatorUrl'>, p: Painter): string[] {
  const o = r.org;
  return [
    p.paint('Kamflow demo', 'bold') + ` (seed ${r.options.seed}, as of ${r.options.asOf})`,
    `A local Salesforce and HubSpot at ${r.simulatorUrl}, each seeded with the same generated org:`,
    `${count(o.accounts, 'account')}, ${count(o.contacts, 'contact')}, ${count(o.opportunities, 'deal')}, ${count(o.products, 'product')}.`,
    'Kamflow connects to both, creates its fields, pulls everything, analyses it and writes back.',
  ];
}

function provisionLine(c: CrmDemo): string {
  const by = new Map<string, number>();
  for (const f of c.provision.fields) by.set(f.status, (by.get(f.status) ?? 0) + 1);
  const fields = [...by.entries()].map(([status, n]) => `${n} ${status}`).join(', ');
  const steps = c.provision.steps.map((s) => `${s.name} ${s.status}`).join(', ');
  return `  ${LABEL[c.crm].padEnd(11)} ${c.provision.fields.length} fields (${fields})${steps ? `; ${steps}` : ''}`;
}

function runRow(c: CrmDemo, run: CrmRun): string[] {
  const counts = run.result.run.counts;
  return [
    LABEL[c.crm],
    String(counts.accounts),
    String(counts.plannedAccounts),
    String(counts.written),
    String(counts.plannedFields),
    String(totalCalls(run.result.run.apiUsage)),
    String(run.writeCalls.client),
    seconds(run.wallMs),
  ];
}

const RUN_HEADERS = ['CRM', 'accounts', 'to change', 'written', 'fields', 'API calls', 'write calls', 'time'];
const RUN_ALIGN: ('l' | 'r')[] = ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r'];

function fieldsWritten(c: CrmDemo): string[] {
  const byField = c.first.result.plan?.summary.byField ?? {};
  const entries = Object.entries(byField) as [OutputFieldKey, number][];
  if (entries.length === 0) return [`  ${LABEL[c.crm]}: none`];
  return [`  ${LABEL[c.crm]} (accounts per field):`, ...table(
    ['field', 'accounts'],
    entries.map(([key, n]) => [fieldName(c.crm, key), String(n)]),
    ['l', 'r'],
    '    ',
  )];
}

function callsLines(c: CrmDemo): string[] {
  return [
    `  ${LABEL[c.crm]}`,
    `    first run:  ${formatUsage(c.first.result.run.apiUsage)}`,
    `    second run: ${formatUsage(c.second.result.run.apiUsage)}`,
  ];
}

/** The verdict on the second run: nothing to change and no write call, in every CRM. */
export function secondRunClean(r: Pick<DemoResult, 'crms'>): boolean {
  return r.crms.every((c) => c.second.result.run.counts.plannedAccounts === 0 && c.second.writeCalls.client === 0 && c.second.writeCalls.simulator === 0);
}

function renderSpreadsheet(r: Pick<DemoResult, 'spreadsheet'>, p: Painter): string[] {
  if (!r.spreadsheet) return [];
  const { demo: d, comparison: cmp, kept } = r.spreadsheet;
  const first = d.first.run.counts;
  const second = d.second.run.counts;
  const created = d.provision.fields.filter((f) => f.status === 'created').length;
  const matrices = d.sheets.filter((s) => /^M\d+ /.test(s)).length;
  const others = d.sheets.filter((s) => !/^M\d+ /.test(s));
  return [
    ...heading(p, 'The same org as a workbook (kamflow connect --crm spreadsheet --path customers.xlsx)'),
    `  ${basename(d.input)} -> ${basename(d.output)}${kept ? ` in ${dirname(d.output)}` : ' (in a temporary folder, removed; --workbook-dir DIR keeps them)'}`,
    `  provision: ${created} Kamflow columns created in the new workbook; the input is never written`,
    ...(d.approvedPlan ? [`  first plan: waited for approval (run ${d.approvedPlan}); the demo approves it, as \`kamflow plan ${d.approvedPlan} --approve\` does`] : []),
    `  first run: ${count(first.accounts, 'account')}, ${first.written} written (${formatUsage(d.first.run.apiUsage)})`,
    `  second run: ${second.plannedAccounts} to change, ${second.written} written; a third run gave ${d.sameBytes ? 'the same bytes' : 'DIFFERENT bytes'}`,
    `  sheets: ${others.slice(0, -1).join(', ')}, ${count(matrices, 'matrix sheet')}, ${others.at(-1) ?? ''}`,
    cmp.differences.length === 0
      ? `  Salesforce and the workbook give the same tier, score, revenue and penetration for all ${count(cmp.families, 'family', 'families')}.`
      : p.paint(`  ${cmp.matching} of ${count(cmp.families, 'family', 'families')} agree with Salesforce; first difference: ${cmp.differences[0] ?? ''}`, 'red'),
    '',
  ];
}

export function renderDemo(r: DemoResult, options: DemoRenderOptions): string {
  const p = painter(options.color);
  const main = r.crms[0];
  const lines: string[] = [...renderIntro(r, p), ...heading(p, 'Setup'), ...r.crms.map(provisionLine)];
  if (main) {
    lines.push('', p.paint(`What Kamflow found (from ${LABEL[main.crm]}; the other CRM is compared below)`, 'bold'));
    lines.push(...renderReport(main.analysis, reportContext(main.snapshot), { color: options.color, limit: options.limit ?? 5, matrixRows: 12 }).trimEnd().split('\n'));
  }
  const cmp = r.comparison;
  lines.push(...heading(p, 'Same data, two CRMs'));
  if (cmp.differences.length === 0) {
    lines.push(`  Salesforce and HubSpot give the same tier, score, revenue and penetration for all ${count(cmp.families, 'family', 'families')}.`);
  } else {
    lines.push(`  ${cmp.matching} of ${count(cmp.families, 'family', 'families')} agree; these differ:`);
    for (const d of cmp.differences.slice(0, 5)) lines.push(`    ${d}`);
    if (cmp.differences.length > 5) lines.push(`    ... ${cmp.differences.length - 5} more`);
    const criteria = Object.entries(cmp.criteriaDiffering).sort(([a], [b]) => (a < b ? -1 : 1));
    if (criteria.length > 0) {
      lines.push(`  Criteria whose values differ: ${criteria.map(([id, n]) => `${id} in ${count(n, 'family', 'families')}`).join(', ')}.`);
      lines.push('  A difference means the two connectors read the same data differently: worth a look.');
    }
  }
  lines.push(...heading(p, 'First run: full sync, its plan reviewed, then written'));
  for (const c of r.crms) {
    const a = c.first.approval;
    if (!a) continue;
    lines.push(`  ${LABEL[c.crm]}: the first plan (${count(a.accounts, 'account')}, ${a.fields} fields) waits for approval as every new connection's does: run ${a.planRunId}, ${a.status}, nothing written.`);
    lines.push(`    The demo approves it explicitly, as \`kamflow plan ${a.planRunId} --approve\` does: the records are read again, then exactly that plan is written (run ${c.first.result.run.id}).`);
  }
  lines.push('');
  lines.push(...table(RUN_HEADERS, r.crms.map((c) => runRow(c, c.first)), RUN_ALIGN));
  lines.push('', '  Fields written:');
  for (const c of r.crms) lines.push(...fieldsWritten(c));
  lines.push(...heading(p, 'Second run: nothing changed in the CRMs'));
  lines.push(...table(RUN_HEADERS, r.crms.map((c) => runRow(c, c.second)), RUN_ALIGN));
  lines.push('', '  API calls by kind:');
  for (const c of r.crms) lines.push(...callsLines(c));
  lines.push('');
  lines.push(secondRunClean(r)
    ? p.paint('Second run: nothing to change and nothing written (0 write calls) in either CRM.', 'green')
    : p.paint('Second run: it still planned or made writes; see the table above.', 'red'));
  lines.push(...renderSpreadsheet(r, p));
  lines.push(`Done in ${seconds(r.wallMs)}.`);
  return `${lines.join('\n')}\n`;
}
