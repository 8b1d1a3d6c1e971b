import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import type { AnalysisResult } from '../model/insights.ts';

/**
 * The JSON document of DOMAIN.md section 6: top-level keys in the documented order (with the
 * snapshot's currency after configVersion, so amounts are never unitless), pretty-printed with
 * two spaces exactly as JSON.stringify(document, null, 2) would. Written in pieces: a large
 * portfolio's matrices run to more text than one JavaScript string can hold.
 */
const TOP_LEVEL_KEYS = [
  'asOf', 'configVersion', 'currency', 'portfolio', 'families', 'accounts', 'drift', 'issues',
] as const satisfies readonly (keyof AnalysisResult)[];

/** Keys written only when the result has them (an analysis without them keeps its exact text). */
const OPTIONAL_KEYS = ['currencies'] as const satisfies readonly (keyof AnalysisResult)[];

const indent = (json: string, prefix: string): string => json.replace(/\n/g, `\n${prefix}`);

export function* analysisJsonChunks(result: AnalysisResult): Generator<string> {
  yield '{\n';
  const keys: (keyof AnalysisResult)[] = [...TOP_LEVEL_KEYS, ...OPTIONAL_KEYS.filter((k) => result[k] !== undefined)];
  for (let k = 0; k < keys.length; k++) {
    const key = keys[k] ?? 'asOf';
    const value: unknown = result[key];
    const comma = k < keys.length - 1 ? ',' : '';
    if (Array.isArray(value) && value.length > 0) {
      yield `  ${JSON.stringify(key)}: [\n`;
      for (let i = 0; i < value.length; i++) {
        yield `    ${indent(JSON.stringify(value[i], null, 2), '    ')}${i < value.length - 1 ? ',' : ''}\n`;
      }
      yield `  ]${comma}\n`;
    } else {
      yield `  ${JSON.stringify(key)}: ${indent(JSON.stringify(value, null, 2), '  ')}${comma}\n`;
    }
  }
  yield '}\n';
}

/** The whole document as one string, for results small enough to hold in one. */
export function analysisJson(result: AnalysisResult): string {
  return [...analysisJsonChunks(result)].join('');
}

const BATCH = 1 << 20;

/** Writes the chunks in batches of about 1 MB, waiting whenever the stream asks to. */
export async function writeChunks(stream: NodeJS.WritableStream, chunks: Iterable<string>): Promise<void> {
  let buffer = '';
  for (const chunk of chunks) {
    buffer += chunk;
    if (buffer.length >= BATCH) {
      if (!stream.write(buffer)) await once(stream, 'drain');
      buffer = '';
    }
  }
  if (buffer !== '' && !stream.write(buffer)) await once(stream, 'drain');
}

/** Writes the analysis JSON to a file; rejects with the file system's error. */
export async function writeAnalysisJsonFile(path: string, result: AnalysisResult): Promise<void> {
  const stream = createWriteStream(path, { encoding: 'utf8' });
  // Listening from the start: an open error (missing directory) arrives before any write ends.
  const done = finished(stream);
  done.catch(() => undefined);
  try {
    await writeChunks(stream, analysisJsonChunks(result));
  } catch (error) {
    stream.destroy();
    throw error;
  }
  stream.end();
  await done;
}
