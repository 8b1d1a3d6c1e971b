import { existsSync, realpathSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import type { FieldValues } from '../../src/contract/connector.ts';
import { CrmError } from '../../src/contract/errors.ts';
import { OUTPUT_FIELD_KEYS, type OutputFieldKey } from '../../src/model/output-fields.ts';
import { normalizeHeader, readKamflowValue } from '../../mappings/spreadsheet.ts';
import { WorkbookInput } from './input.ts';
import { ID_COLUMN, SHEETS } from './layout.ts';
import { text } from './values.ts';

/**
 * The annotated workbook as the place Kamflow's values live: where it goes, whether a file
 * there is one Kamflow wrote (never anything else is replaced), and the values it holds now.
 */

/** Beside the input: `customers.xlsx` -> `customers.kamflow.xlsx`, a folder `crm/` -> `crm.kamflow.xlsx`. */
export function defaultOutputPath(inputPath: string, isFolder: boolean): string {
  const abs = resolve(inputPath);
  if (isFolder) return join(dirname(abs), `${basename(abs)}.kamflow.xlsx`);
  return join(dirname(abs), `${basename(abs, extname(abs))}.kamflow.xlsx`);
}

const real = (p: string): string => {
  try {
    return realpathSync(p);
  } catch {
    return resolve(p);
  }
};

/** Problems with an output path before anything is written: not .xlsx, in no folder there is, or the input itself (or inside the CSV folder). */
export function outputPathProblems(output: string, input: string): string[] {
  const problems: string[] = [];
  if (!/\.xlsx$/i.test(output)) problems.push(`output must be an .xlsx file, got ${output}`);
  if (!existsSync(dirname(resolve(output)))) problems.push(`output ${output}: the folder ${dirname(resolve(output))} does not exist`);
  const o = real(output);
  const i = real(input);
  if (o === i) problems.push(`output ${output} is the input itself: Kamflow never overwrites its input`);
  else if (o.startsWith(`${i}/`)) problems.push(`output ${output} lies inside the input folder, where it would be read as input`);
  return problems;
}

const accountsSheet = (path: string): WorkbookInput => new WorkbookInput(path, () => [SHEETS.accounts]);

/** The column of each of Kamflow's fields on the Accounts sheet, and of the row id; null when the file is not Kamflow's. */
async function kamflowHeader(path: string): Promise<{ id: number; kam: Partial<Record<OutputFieldKey, number>> } | null> {
  let sheet;
  try {
    sheet = await accountsSheet(path).open('accounts');
  } catch {
    return null;
  }
  if (sheet === null) return null;
  await sheet.close();
  const index = new Map(sheet.headers.map((h, i) => [normalizeHeader(h), i]));
  const id = index.get(normalizeHeader(ID_COLUMN));
  if (id === undefined) return null;
  const kam: Partial<Record<OutputFieldKey, number>> = {};
  for (const key of OUTPUT_FIELD_KEYS) {
    const i = index.get(normalizeHeader(key));
    if (i !== undefined) kam[key] = i;
  }
  return { id, kam };
}

/** Kamflow's columns the workbook at `path` has; null when no file is there; a config error when a file is there that Kamflow did not write. */
export async function outputColumns(path: string): Promise<OutputFieldKey[] | null> {
  if (!existsSync(path)) return null;
  const header = await kamflowHeader(path);
  if (header === null) throw notKamflows(path);
  return OUTPUT_FIELD_KEYS.filter((k) => header.kam[k] !== undefined);
}

export function notKamflows(path: string): CrmError {
  return new CrmError('config', `${path} exists and is not a workbook Kamflow wrote (no "${SHEETS.accounts}" sheet with a ${ID_COLUMN} column); Kamflow replaces only its own output: choose another output or move the file`, { code: 'OUTPUT_NOT_KAMFLOW' });
}

const FORMATS = { dateFormat: 'iso', decimalComma: false } as const;

/** The values of Kamflow's fields each account holds in the workbook at `path`; null when there is none. */
export async function readOutputValues(path: string): Promise<Map<string, FieldValues> | null> {
  if (!existsSync(path)) return null;
  const header = await kamflowHeader(path);
  if (header === null) throw notKamflows(path);
  const sheet = await accountsSheet(path).open('accounts');
  const values = new Map<string, FieldValues>();
  if (sheet === null) return values;
  const keys = OUTPUT_FIELD_KEYS.filter((k) => header.kam[k] !== undefined);
  try {
    for await (const r of sheet.rows) {
      const id = text(r.cells[header.id] ?? null);
      if (id === null || values.has(id)) continue;
      const fields: FieldValues = {};
      for (const key of keys) {
        const parsed = readKamflowValue(key, r.cells[header.kam[key] ?? -1] ?? null, FORMATS);
        fields[key] = parsed.ok ? parsed.value : null;
      }
      values.set(id, fields);
    }
  } finally {
    await sheet.close();
  }
  return values;
}
