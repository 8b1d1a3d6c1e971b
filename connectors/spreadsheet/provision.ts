import { basename } from 'node:path';
import type { FieldValues, ObjectKind, ProvisionFieldReport, ProvisionReport } from '../../src/contract/connector.ts';
import { isCrmError } from '../../src/contract/errors.ts';
import { OUTPUT_FIELD_KEYS } from '../../src/model/output-fields.ts';
import { checkColumns } from './sheet.ts';
import { outputColumns } from './output.ts';
import { writeValues, type WriteContext } from './write.ts';

/**
 * Provisioning a spreadsheet creates nothing in the input: it checks that every sheet the
 * input has can be read (the columns each stream needs are there, and which header feeds
 * which field), then makes the annotated workbook if there is none yet: the account rows with
 * an empty column for each of Kamflow's fields, the way provisioning a CRM creates its fields.
 * A second provisioning finds it and creates nothing.
 */

const ORDER: readonly ObjectKind[] = ['accounts', 'contacts', 'products', 'opportunities', 'lineItems', 'users', 'contactRoles'];

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

export async function provisionWorkbook(contextOf: () => WriteContext, currentValues: () => Promise<Map<string, FieldValues> | null>): Promise<ProvisionReport> {
  const failAll = (why: string): ProvisionFieldReport[] => OUTPUT_FIELD_KEYS.map((key) => ({ key, crmName: key, status: 'failed', message: why }));
  let ctx: WriteContext;
  try {
    ctx = contextOf();
  } catch (error) {
    if (!isCrmError(error)) throw error;
    return { fields: failAll(error.message), steps: [] };
  }
  const steps: ProvisionReport['steps'] = [];
  let accountsReadable = false;
  for (const kind of ORDER) {
    try {
      const sheet = await ctx.input.open(kind);
      if (sheet === null) {
        steps.push({
          name: `${kind} sheet`, status: kind === 'accounts' ? 'failed' : 'skipped',
          message: kind === 'accounts' ? `none found in ${basename(ctx.inputPath)} (it has: ${(await ctx.input.names()).join(', ')})` : 'none in the input: the stream stays empty',
        });
        continue;
      }
      try {
        const columns = checkColumns(kind, sheet, ctx.options);
        const fed = Object.entries(columns.field as Record<string, number>).map(([f, i]) => `${f} <- "${sheet.headers[i] ?? ''}"`);
        const label = sheet.sheet === null ? sheet.file : `"${sheet.sheet}"`;
        steps.push({ name: `${kind} sheet ${label}`, status: 'exists', message: fed.join(', ') });
        if (kind === 'accounts') accountsReadable = true;
      } finally {
        await sheet.close();
      }
    } catch (error) {
      if (!isCrmError(error)) throw error;
      steps.push({ name: `${kind} sheet`, status: 'failed', message: error.message });
    }
  }
  if (!accountsReadable) return { fields: failAll('the accounts sheet cannot be read (see its step)'), steps };

  const name = `output ${basename(ctx.output)}`;
  let existing: string[] | null;
  try {
    existing = await outputColumns(ctx.output);
  } catch (error) {
    if (!isCrmError(error)) throw error;
    steps.push({ name, status: 'failed', message: error.message });
    return { fields: failAll(error.message), steps };
  }
  const present = new Set(existing ?? []);
  if (existing !== null && OUTPUT_FIELD_KEYS.every((k) => present.has(k))) {
    steps.push({ name, status: 'exists', message: ctx.output });
    return { fields: OUTPUT_FIELD_KEYS.map((key) => ({ key, crmName: key, status: 'exists' })), steps };
  }
  try {
    await writeValues(ctx, [], await currentValues());
  } catch (error) {
    if (!isCrmError(error)) throw error;
    steps.push({ name, status: 'failed', message: error.message });
    return { fields: failAll(error.message), steps };
  }
  steps.push({ name, status: 'created', message: ctx.output });
  return { fields: OUTPUT_FIELD_KEYS.map((key) => ({ key, crmName: key, status: present.has(key) ? 'exists' : 'created' })), steps };
}
