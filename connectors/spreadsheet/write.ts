import { basename } from 'node:path';
import type { FieldValues, RunResults, WriteOutcome } from '../../src/contract/connector.ts';
import { CrmError } from '../../src/contract/errors.ts';
import { OUTPUT_FIELD_KEYS, OUTPUT_FIELDS, type OutputFieldKey } from '../../src/model/output-fields.ts';
import type { MappingSettings } from '../../mappings/spreadsheet.ts';
import { writeAboutSheet, writeAccountsSheet, type AccountValues } from './accounts-sheet.ts';
import { writeConcentrationSheet, writeKeyAccountsSheet, writeMatrixSheets } from './analysis-sheets.ts';
import type { InputSource } from './input.ts';
import { MAX_CELL_TEXT, SHEETS } from './layout.ts';
import { outputColumns } from './output.ts';
import type { SpreadsheetOptions } from './options.ts';
import { referencesFrom, type Indexes } from './references.ts';
import { readSheet, type SheetRead } from './sheet.ts';
import { writeWorkbookFile, type StreamWorkbook } from './workbook-file.ts';

/**
 * The two ways the annotated workbook is written. A push writes the values of Kamflow's fields
 * onto the account rows (the values the CRMs would hold: the workbook is where they live); the
 * end of a run publishes the whole workbook, values and analysis sheets, from what the run
 * computed. Either rewrites the file from the input's rows, so it always shows the input as it
 * is now.
 */

export interface WriteContext {
  input: InputSource;
  options: SpreadsheetOptions;
  settings: MappingSettings;
  output: string;
  inputPath: string;
  indexes(): Promise<Indexes>;
  count(kind: string): void;
}

const KEYS = new Set<string>(OUTPUT_FIELD_KEYS);

/** Why a write cannot go into the workbook, or null when it can. */
function refusal(fields: FieldValues): { code: string; message: string } | null {
  for (const [key, value] of Object.entries(fields)) {
    if (!KEYS.has(key)) return { code: 'INVALID_FIELD', message: `${key} is not one of Kamflow's fields` };
    if (typeof value === 'string' && value.length > MAX_CELL_TEXT) {
      return { code: 'STRING_TOO_LONG', message: `${key} has ${value.length} characters; a workbook cell holds at most ${MAX_CELL_TEXT}` };
    }
  }
  return null;
}

/** The changed fields in the fixed field order, `kam_updated_at` aside (it moves with any of them). */
function changedKeys(fields: FieldValues): OutputFieldKey[] {
  return OUTPUT_FIELDS.map((f) => f.key).filter((k) => k !== 'kam_updated_at' && k in fields);
}

async function accountsRead(ctx: WriteContext): Promise<SheetRead<'accounts'>> {
  ctx.count('fileReads');
  const read = await readSheet('accounts', ctx.input, ctx.options, ctx.settings, referencesFrom(await ctx.indexes()));
  if (read === null) throw new CrmError('config', `${ctx.inputPath} has no accounts sheet: there is nothing to annotate`, { code: 'NO_ACCOUNTS_SHEET' });
  return read;
}

async function write(ctx: WriteContext, body: (wb: StreamWorkbook, read: SheetRead<'accounts'>) => Promise<void>): Promise<void> {
  // A file there that Kamflow did not write stops the write before anything is replaced.
  await outputColumns(ctx.output);
  await writeWorkbookFile(ctx.output, async (wb) => {
    const read = await accountsRead(ctx);
    try {
      await body(wb, read);
    } finally {
      await read.sheet.close();
    }
  });
  ctx.count('workbookWrites');
}

/**
 * Writes the values onto the account rows, over the values held now (`current`: the workbook's;
 * null before the first write, when the input's own kam_* columns, if any, are held). One
 * outcome per write: an account the input has no row for is NOT_FOUND.
 */
export async function writeValues(ctx: WriteContext, batch: readonly { id: string; fields: FieldValues }[], current: Map<string, FieldValues> | null): Promise<WriteOutcome[]> {
  const refused = new Map<string, WriteOutcome>();
  const pending = new Map<string, FieldValues>();
  for (const w of batch) {
    const bad = refusal(w.fields);
    if (bad) refused.set(w.id, { accountId: w.id, ok: false, errorKind: 'bad-data', ...bad });
    else pending.set(w.id, { ...pending.get(w.id), ...w.fields });
  }
  const seen = new Set<string>();
  let accounts = 0;
  await write(ctx, async (wb, read) => {
    const values: AccountValues = {
      values: (id, input) => {
        seen.add(id);
        const held = current === null ? input : current.get(id);
        const w = pending.get(id);
        return w ? { ...held, ...w } : held;
      },
      changed: (id) => {
        const w = pending.get(id);
        const keys = w ? changedKeys(w) : [];
        return keys.length > 0 ? keys : null;
      },
    };
    const result = await writeAccountsSheet(wb, read, values);
    accounts = result.accounts;
    writeAboutSheet(wb, {
      input: basename(ctx.inputPath), asOf: null, currency: ctx.options.currency, accounts, changed: result.changed, sheets: [SHEETS.accounts, SHEETS.about],
      note: 'Written with the values of Kamflow\'s fields only; a sync adds the key accounts, concentration and matrix sheets at the end of its run.',
    });
  });
  return batch.map((w) => refused.get(w.id) ?? (seen.has(w.id)
    ? { accountId: w.id, ok: true }
    : { accountId: w.id, ok: false, errorKind: 'bad-data', code: 'NOT_FOUND', message: `the input has no account row with the id ${w.id}` }));
}

/** The whole annotated workbook, from a run's results: the values held now and, after a sync, its analysis. */
export async function publishWorkbook(ctx: WriteContext, results: RunResults): Promise<void> {
  const held = new Map<string, FieldValues>(results.accounts.map((a) => [a.id, a.fields]));
  const changed = new Map<string, OutputFieldKey[]>();
  for (const w of results.written) {
    held.set(w.accountId, { ...held.get(w.accountId), ...w.fields });
    const keys = changedKeys({ ...Object.fromEntries((changed.get(w.accountId) ?? []).map((k) => [k, null])), ...w.fields });
    if (keys.length > 0) changed.set(w.accountId, keys);
  }
  await write(ctx, async (wb, read) => {
    const result = await writeAccountsSheet(wb, read, { values: (id) => held.get(id), changed: (id) => changed.get(id) ?? null });
    const sheets: string[] = [SHEETS.accounts];
    const analysis = results.analysis;
    if (analysis) {
      writeKeyAccountsSheet(wb, analysis);
      writeConcentrationSheet(wb, analysis);
      sheets.push(SHEETS.keyAccounts, SHEETS.concentration, ...writeMatrixSheets(wb, analysis, result.names, ctx.options.matrixSheets));
    }
    sheets.push(SHEETS.about);
    const omitted = analysis ? analysis.families.length - Math.min(analysis.families.length, ctx.options.matrixSheets) : 0;
    const notes = [
      ...(analysis ? [] : ['Restored by a rollback: the analysis sheets come back with the next sync.']),
      ...(omitted > 0 ? [`Matrix sheets for the ${ctx.options.matrixSheets} families with the most revenue; ${omitted} more are left out (option matrixSheets).`] : []),
    ];
    writeAboutSheet(wb, {
      input: basename(ctx.inputPath), asOf: results.asOf, currency: ctx.options.currency, accounts: result.accounts, changed: result.changed, sheets,
      ...(notes.length > 0 ? { note: notes.join(' ') } : {}),
    });
  });
}
