import { z } from 'zod';
import { OUTPUT_PROPERTIES, OUTPUT_PROPERTY_GROUP, OVERRIDE_PROPERTIES, type OutputPropertySpec } from '../../mappings/hubspot.ts';
import { CrmError, isCrmError } from '../../src/contract/errors.ts';
import type { ProvisionFieldReport, ProvisionReport } from '../../src/contract/connector.ts';
import type { HubSpotCaller } from './client.ts';
import { rawRequest } from './reads.ts';

const listSchema = z.object({ results: z.array(z.object({ name: z.string(), type: z.string().optional(), fieldType: z.string().optional() }).loose()) });

function parseList(raw: unknown, what: string): z.infer<typeof listSchema>['results'] {
  const parsed = listSchema.safeParse(raw);
  if (!parsed.success) throw new CrmError('bad-response', `HubSpot ${what}: unexpected response shape`, { crm: 'hubspot' });
  return parsed.data.results;
}

const isConflict = (e: unknown): boolean => isCrmError(e) && e.details.status === 409;

function createBody(spec: Omit<OutputPropertySpec, 'key'>): Record<string, unknown> {
  return {
    name: spec.name,
    label: spec.label,
    description: spec.description,
    groupName: OUTPUT_PROPERTY_GROUP.name,
    type: spec.type,
    fieldType: spec.fieldType,
    displayOrder: spec.displayOrder,
    hidden: false,
    formField: false,
    ...(spec.numberDisplayHint ? { numberDisplayHint: spec.numberDisplayHint } : {}),
    ...(spec.options ? { options: spec.options } : {}),
  };
}

/**
 * Properties are created through the raw request because the SDK's PropertyCreate model drops
 * `numberDisplayHint`.
 *
 * Creates the `kamflow` group and Kamflow's company properties when missing. Existing ones are
 * checked, never changed: a property of the wrong type is reported for an admin to fix, since
 * changing a type in place could destroy the values users keep there.
 */
export async function provisionProperties(caller: HubSpotCaller): Promise<ProvisionReport> {
  const steps: ProvisionReport['steps'] = [];
  const groups = parseList((await caller.call('groupsRead', 'read company property groups', (c) => c.crm.properties.groupsApi.getAllWithHttpInfo('companies'))).data, 'property groups');
  if (groups.some((g) => g.name === OUTPUT_PROPERTY_GROUP.name)) {
    steps.push({ name: `property group ${OUTPUT_PROPERTY_GROUP.name}`, status: 'exists' });
  } else {
    try {
      await caller.call('groupCreate', 'create property group', (c) => c.crm.properties.groupsApi.createWithHttpInfo('companies', { ...OUTPUT_PROPERTY_GROUP }));
      steps.push({ name: `property group ${OUTPUT_PROPERTY_GROUP.name}`, status: 'created' });
    } catch (e) {
      if (!isConflict(e)) throw e;
      steps.push({ name: `property group ${OUTPUT_PROPERTY_GROUP.name}`, status: 'exists' });
    }
  }

  const existing = new Map(
    parseList((await caller.call('propertiesRead', 'read company properties', (c) => c.crm.properties.coreApi.getAllWithHttpInfo('companies'))).data, 'company properties').map((p) => [p.name, p]),
  );
  const fields: ProvisionFieldReport[] = [];
  for (const spec of OUTPUT_PROPERTIES) {
    const have = existing.get(spec.name);
    const base = { key: spec.key, crmName: spec.name };
    if (have) {
      fields.push(
        have.type === spec.type
          ? { ...base, status: 'exists' }
          : { ...base, status: 'wrong-type', message: `company property ${spec.name} is of type ${have.type ?? 'unknown'}${have.fieldType ? `/${have.fieldType}` : ''}, Kamflow needs ${spec.type}/${spec.fieldType}; change or delete it in HubSpot` },
      );
      continue;
    }
    try {
      await caller.call('propertyCreate', `create property ${spec.name}`, (c) => rawRequest(c, 'POST', '/crm/v3/properties/companies', createBody(spec)));
      fields.push({ ...base, status: 'created' });
    } catch (e) {
      if (isConflict(e)) fields.push({ ...base, status: 'exists' });
      else if (isCrmError(e) && e.kind !== 'api-limit' && e.kind !== 'auth') fields.push({ ...base, status: 'failed', message: e.message });
      else throw e;
    }
  }
  steps.push(await provisionOverrides(caller, existing));
  return { fields, steps };
}

/** The override properties managers type into: created when missing, never changed when there. */
async function provisionOverrides(caller: HubSpotCaller, existing: ReadonlyMap<string, { type?: string | undefined }>): Promise<ProvisionReport['steps'][number]> {
  const created: string[] = [];
  const problems: string[] = [];
  for (const spec of OVERRIDE_PROPERTIES) {
    const have = existing.get(spec.name);
    if (have) {
      if (have.type !== spec.type) problems.push(`company property ${spec.name} is of type ${have.type ?? 'unknown'}, Kamflow reads ${spec.type}; change or delete it in HubSpot`);
      continue;
    }
    try {
      await caller.call('propertyCreate', `create property ${spec.name}`, (c) => rawRequest(c, 'POST', '/crm/v3/properties/companies', createBody(spec)));
      created.push(spec.name);
    } catch (e) {
      if (isConflict(e)) continue;
      if (isCrmError(e) && e.kind !== 'api-limit' && e.kind !== 'auth') problems.push(e.message);
      else throw e;
    }
  }
  if (problems.length > 0) return { name: 'override properties', status: 'failed', message: problems.join('; ') };
  return created.length > 0 ? { name: 'override properties', status: 'created', message: `created: ${created.join(', ')}` } : { name: 'override properties', status: 'exists' };
}
