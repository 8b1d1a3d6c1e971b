import { z } from 'zod';
import type { ConfigValues } from '../backend.ts';

/** CRM record ids (Salesforce 15/18 chars, HubSpot numbers) and Kamflow's own ids. */
export const Id = z.string().regex(/^[A-Za-z0-9_.:-]{1,100}$/, 'must be 1-100 letters, digits, or _ . : -');

export const ConnectionParams = z.object({ id: Id });
export const RunParams = z.object({ id: Id, runId: Id });
export const FamilyParams = z.object({ id: Id, familyId: Id });

export const RunKindBody = z.object({ kind: z.enum(['sync', 'dry-run']), confirm: z.literal('true').optional() });

export const ConfigValuesSchema = z.record(z.string().min(1).max(200), z.string().max(10_000));

/** Form bodies: `cfg.<path>` fields become config values; each must appear once. */
export const ConfigFormBody = z.looseObject({
  version: z.coerce.number().int().nonnegative(),
}).transform((body, ctx): { version: number; values: ConfigValues } => {
  const values: ConfigValues = {};
  for (const [key, value] of Object.entries(body)) {
    if (!key.startsWith('cfg.')) continue;
    if (typeof value !== 'string') {
      ctx.addIssue({ code: 'custom', path: [key], message: 'must be given once, as text' });
      continue;
    }
    values[key.slice(4)] = value;
  }
  return { version: body.version, values };
});

export const ConfigJsonBody = z.object({ values: ConfigValuesSchema });
export const SaveConfigJsonBody = z.object({ values: ConfigValuesSchema, version: z.number().int().nonnegative() });
export const RunJsonBody = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('sync'), confirm: z.boolean().optional() }),
  z.object({ kind: z.literal('dry-run') }),
  z.object({ kind: z.literal('rollback'), runId: Id }),
]);
export const LimitQuery = z.object({ limit: z.coerce.number().int().min(1).max(500).default(50) });
