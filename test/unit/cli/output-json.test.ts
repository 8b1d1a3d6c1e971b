import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { analysisJson, analysisJsonChunks, writeAnalysisJsonFile } from '../../../src/cli/output-json.ts';
import type { AnalysisResult } from '../../../src/model/insights.ts';

const dir = mkdtempSync(join(tmpdir(), 'kamflow-json-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const result = {
  issues: [{ kind: 'cycle', recordId: 'A', message: 'x\ny' }],
  drift: [],
  accounts: [{ id: 'A', familyId: 'A', depth: 0, nested: { deep: [1, { two: 2 }] } }, { id: 'B', familyId: 'A', depth: 1 }],
  families: [],
  portfolio: { totalRevenue: 10, families: 1, top1Share: 1, top5Share: 1, top10Share: 1, hhi: 1, keyFamilies: 0 },
  currency: 'EUR',
  configVersion: 2,
  asOf: '2026-06-30',
} as unknown as AnalysisResult;

describe('analysis JSON', () => {
  it('writes JSON.stringify(document) compact by default, (document, null, 2) with pretty, keys in the section-6 order', () => {
    const ordered = {
      asOf: '2026-06-30', configVersion: 2, currency: 'EUR', portfolio: result.portfolio,
      families: [], accounts: result.accounts, drift: [], issues: result.issues,
    };
    expect(analysisJson(result)).toBe(`${JSON.stringify(ordered)}\n`);
    expect(analysisJson(result, { pretty: true })).toBe(`${JSON.stringify(ordered, null, 2)}\n`);
    // In pieces of about a megabyte: no single string has to hold the whole document.
    const many = { ...result, accounts: Array.from({ length: 30_000 }, (_, i) => ({ id: `A${i}`, familyId: 'A', depth: 0, text: 'x'.repeat(100) })) };
    const chunks = [...analysisJsonChunks(many as unknown as AnalysisResult)];
    expect(chunks.length).toBeGreaterThan(2);
    expect(Math.max(...chunks.map((c) => c.length))).toBeLessThan(1.1 * 2 ** 20);
    expect(chunks.join('')).toBe(JSON.stringify({ ...ordered, accounts: many.accounts }));
  });

  it('writes a file of several megabytes with text beyond ASCII byte for byte as JSON.stringify, compact and pretty', async () => {
    const many = { ...result, accounts: Array.from({ length: 30_000 }, (_, i) => ({ id: `A${i}`, text: `★ Zoë ${'x'.repeat(i % 90)} → ✓` })) } as unknown as AnalysisResult;
    const ordered = {
      asOf: '2026-06-30', configVersion: 2, currency: 'EUR', portfolio: result.portfolio,
      families: [], accounts: (many as unknown as { accounts: unknown[] }).accounts, drift: [], issues: result.issues,
    };
    const path = join(dir, 'many.json');
    await writeAnalysisJsonFile(path, many);
    expect(readFileSync(path, 'utf8')).toBe(`${JSON.stringify(ordered)}\n`);
    await writeAnalysisJsonFile(path, many, { pretty: true });
    expect(readFileSync(path, 'utf8')).toBe(`${JSON.stringify(ordered, null, 2)}\n`);
  });

  it('writes the same text to a file, and rejects for a directory that does not exist', async () => {
    const path = join(dir, 'out.json');
    await writeAnalysisJsonFile(path, result);
    expect(readFileSync(path, 'utf8')).toBe(analysisJson(result));
    await expect(writeAnalysisJsonFile(join(dir, 'missing', 'out.json'), result)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
