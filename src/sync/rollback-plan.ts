import type { FieldValues } from '../contract/connector.ts';
import type { Account } from '../model/snapshot.ts';
import { OUTPUT_FIELDS } from '../model/output-fields.ts';
import type { FieldConflict, StoredWrite } from '../store/types.ts';
import type { MemoryIndex } from './conflicts.ts';
import { planFieldChanges, sameFieldValue, type DesiredAccountFields, type FieldValue, type WritePlan } from './planner.ts';

/**
 * A rollback restores a field only while it still holds the value the run wrote (compared at
 * the field's precision, blank and null equal): anything else there was put by someone, or by a
 * later run, after it, and is reported as a conflict instead of being overwritten, unless
 * forced. kam_updated_at follows the account's other fields: restored with them, never a
 * conflict of its own (every later change of the account moves it).
 */

export interface RollbackPlanOptions {
  /** Restore every field the run wrote, whatever it holds now (each such field still reported). */
  force: boolean;
}

export function planRollback(
  written: readonly StoredWrite[],
  mirrorAccounts: readonly Pick<Account, 'id' | 'fields'>[],
  memory: MemoryIndex,
  options: RollbackPlanOptions,
): WritePlan {
  const current = new Map(mirrorAccounts.map((a) => [a.id, a.fields]));
  const desired: DesiredAccountFields[] = [];
  const conflicts: FieldConflict[] = [];
  const resolution = options.force ? 'overwritten' : 'kept';
  for (const w of written) {
    const now = current.get(w.accountId);
    if (now === undefined) {
      // Gone from the CRM: nothing to restore; the planner lists it as unknown.
      desired.push({ accountId: w.accountId, fields: w.previous });
      continue;
    }
    const fields: FieldValues = {};
    let restored = 0;
    for (const spec of OUTPUT_FIELDS) {
      const key = spec.key;
      if (key === 'kam_updated_at' || !(key in w.fields)) continue;
      const wrote: FieldValue = w.fields[key] ?? null;
      const restore: FieldValue = w.previous[key] ?? null;
      const have: FieldValue = now[key] ?? null;
      if (sameFieldValue(key, have, restore)) continue;
      if (sameFieldValue(key, have, wrote)) {
        fields[key] = restore;
        restored++;
        continue;
      }
      const mem = memory.get(w.accountId)?.get(key);
      const byLaterRun = mem !== undefined && sameFieldValue(key, have, mem.value);
      conflicts.push({
        accountId: w.accountId, field: key, current: have, kamflowValue: wrote, proposed: restore,
        changedBy: null, changedAt: byLaterRun ? mem.writtenAt : null, source: byLaterRun ? 'later-run' : 'memory', resolution,
      });
      if (options.force) {
        fields[key] = restore;
        restored++;
      }
    }
    if (restored > 0 && 'kam_updated_at' in w.fields) {
      const wrote = w.fields.kam_updated_at ?? null;
      if (options.force || sameFieldValue('kam_updated_at', now['kam_updated_at'] ?? null, wrote)) fields.kam_updated_at = w.previous.kam_updated_at ?? null;
    }
    desired.push({ accountId: w.accountId, fields });
  }
  const plan = planFieldChanges(desired, mirrorAccounts, { updatedAt: null });
  return { ...plan, conflicts };
}
