import type { AnalysisResult } from '../model/insights.ts';

const CHUNK = 1 << 20;

/**
 * The analysis JSON in pieces, byte-identical to `JSON.stringify(result)` once joined. At
 * 100,000 accounts the document passes V8's maximum string length (about 512 MiB), so it must
 * be written piece by piece; no piece holds more than one family plus about 1 MiB.
 */
export function* analysisJsonChunks(result: AnalysisResult): Generator<string> {
  let buffer = '{';
  let firstKey = true;
  for (const [key, value] of Object.entries(result)) {
    if (value === undefined) continue;
    buffer += `${firstKey ? '' : ','}${JSON.stringify(key)}:`;
    firstKey = false;
    if (!Array.isArray(value)) {
      buffer += JSON.stringify(value);
      continue;
    }
    buffer += '[';
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      buffer += (i === 0 ? '' : ',') + (JSON.stringify(item) ?? 'null');
      if (buffer.length >= CHUNK) {
        yield buffer;
        buffer = '';
      }
    }
    buffer += ']';
  }
  yield `${buffer}}`;
}
