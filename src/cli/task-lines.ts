import type { SyncResult } from '../sync/types.ts';

/**
 * The tasks of a run as `kamflow sync` and `kamflow rollback` print them, beside the field
 * writes: for a dry run what would be created (or removed), for a real run what was.
 */
export function taskLines(result: Pick<SyncResult, 'tasks' | 'taskRollback' | 'run'>): string[] {
  const out: string[] = [];
  const verb = result.run.dryRun ? 'would create' : 'created';
  const planned = result.tasks?.tasks ?? [];
  if (planned.length > 0) out.push(`  tasks for account owners it ${verb}: ${planned.length}`);
  for (const t of planned) out.push(`    ${t.accountId} (owner ${t.ownerId}, due ${t.dueDate}, ${t.kind}): ${t.subject}`);
  const skipped = result.tasks?.skipped ?? [];
  if (skipped.length > 0) out.push(`  tasks not made: ${skipped.length}`);
  for (const s of skipped) out.push(`    ${s.message}`);
  const rb = result.taskRollback;
  if (rb) {
    if (rb.remove.length > 0) out.push(`  tasks it ${result.run.dryRun ? 'would remove' : 'removed'}: ${rb.remove.length}`);
    for (const t of rb.remove) out.push(`    ${t.taskId ?? t.key} on ${t.accountId}: ${t.subject}`);
    if (rb.gone.length > 0) out.push(`  tasks already gone from the CRM: ${rb.gone.length}`);
    if (rb.conflicts.length > 0) out.push(`  task conflicts (changed by a person since the run made them): ${rb.conflicts.length}`);
    for (const c of rb.conflicts) out.push(`    ${c.taskId} on ${c.accountId}: ${c.subject} (${c.changed.join(', ')}); ${c.resolution === 'kept' ? 'left in place' : 'removed anyway (forced)'}`);
  }
  return out;
}
