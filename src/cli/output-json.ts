import { open } from 'node:fs/promises';
import { once } from 'node:events';
import { analysisJsonBytes, analysisJsonChunks, type JsonOptions } from '../analyze/json.ts';
import type { AnalysisResult } from '../model/insights.ts';

export { analysisJsonChunks, type JsonOptions } from '../analyze/json.ts';

/** The whole document as one string, for results small enough to hold in one. */
export function analysisJson(result: AnalysisResult, options: JsonOptions = {}): string {
  return [...analysisJsonChunks(result, options)].join('') + (options.pretty ? '' : '\n');
}

const BATCH = 1 << 20;
const NEWLINE = Buffer.from('\n');

/** The file's text in pieces: the JSON, and a final newline after the compact form (pretty ends with one). */
export function* analysisDocument(result: AnalysisResult, options: JsonOptions = {}): Generator<string> {
  yield* analysisJsonChunks(result, options);
  if (!options.pretty) yield '\n';
}

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

/** Writes the analysis JSON to a file, a megabyte of UTF-8 at a time; rejects with the file system's error. */
export async function writeAnalysisJsonFile(path: string, result: AnalysisResult, options: JsonOptions = {}): Promise<void> {
  const file = await open(path, 'w');
  try {
    const writeAll = async (piece: Uint8Array) => {
      for (let at = 0; at < piece.length;) at += (await file.write(piece, at, piece.length - at)).bytesWritten;
    };
    // Each piece is written while the next one is made (the file system's wait was a fifth of
    // writing a large result); at most one write is under way.
    let writing: Promise<void> = Promise.resolve();
    try {
      for (const piece of analysisJsonBytes(result, options)) {
        await writing;
        writing = writeAll(piece);
      }
      await writing;
    } finally {
      // A failed piece stops the writing; the next await would otherwise leave it unhandled.
      await writing.catch(() => undefined);
    }
    if (!options.pretty) await writeAll(NEWLINE);
  } finally {
    await file.close();
  }
}
