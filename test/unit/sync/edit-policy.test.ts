import { describe, expect, it } from 'vitest';
import { editPolicyOf } from '../../../src/sync/conflicts.ts';
import { splitConnectionOptions } from '../../../src/contract/sync-options.ts';

describe('the fieldPolicy option', () => {
  it('reads one policy for every field, or per field with a default', () => {
    expect(editPolicyOf('kamflow-owns', false)).toEqual({ policy: { fallback: 'kamflow-owns', fields: {}, overwriteAll: false }, problems: [] });
    expect(editPolicyOf({ kam_tier: 'kamflow-owns', default: 'respect-edits' }, false).policy).toEqual({ fallback: 'respect-edits', fields: { kam_tier: 'kamflow-owns' }, overwriteAll: false });
    expect(editPolicyOf(undefined, true).policy).toEqual({ fallback: 'respect-edits', fields: {}, overwriteAll: true });
  });

  it('names a key that is no Kamflow field instead of ignoring it', () => {
    const { policy, problems } = editPolicyOf({ kam_teir: 'kamflow-owns' }, false);
    expect(policy.fields).toEqual({});
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^fieldPolicy: kam_teir is not a Kamflow field \(expected one of kam_tier, /);
  });

  it('refuses values that are no policy, naming the option', () => {
    expect(splitConnectionOptions({ fieldPolicy: 'mine' }).problems).toEqual(['fieldPolicy: expected respect-edits or kamflow-owns, or an object of Kamflow field (or default) to policy']);
    expect(splitConnectionOptions({ fieldPolicy: { kam_tier: 'kamflow-owns' } }).sync).toEqual({ fieldPolicy: { kam_tier: 'kamflow-owns' } });
  });
});
