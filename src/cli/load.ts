import { readFile } from 'node:fs/promises';
import {
  ConfigError, DEFAULT_ANALYSIS_CONFIG, parseAnalysisConfig, type AnalysisConfig,
} from '../config/analysis-config.ts';
import { AnalysisInputBuilder, type AnalysisInput } from '../analyze/input.ts';
import { SnapshotFormatError, type RejectedRecord } from '../model/snapshot.ts';
import { readSnapshotFile, SnapshotSyntaxError, type ReadProgress, type SnapshotFileFormat } from '../snapshot/read.ts';

/** A file the command cannot use: printed as one line naming the file and the problem, exit 1. */
export class InputError extends Error {
  override readonly name = 'InputError';
}

export function describeFsError(error: unknown): string {
  const code = error && typeof error === 'object' && 'code' in error ? String(error.code) : '';
  switch (code) {
    case 'ENOENT': return 'no such file';
    case 'EISDIR': return 'is a directory, not a file';
    case 'EACCES':
    case 'EPERM': return 'permission denied';
    case 'ENOTDIR': return 'a part of the path is not a directory';
    default: return error instanceof Error ? error.message : String(error);
  }
}

const oneLine = (s: string): string => s.replace(/\s*\n\s*/g, ' ');

/** Reads and parses a JSON file; `what` names the file's role in messages ("snapshot", "config"). */
export async function readJsonFile(path: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new InputError(`cannot read ${what} ${path}: ${describeFsError(error)}`);
  }
  if (text.trim() === '') throw new InputError(`${what} ${path} is empty`);
  try {
    return JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new InputError(`${what} ${path} is not valid JSON: ${oneLine(reason)}`);
  }
}

export interface LoadedSnapshot {
  input: AnalysisInput;
  rejected: RejectedRecord[];
  format: SnapshotFileFormat;
}

/**
 * Reads a snapshot file (JSON or NDJSON) record by record into the analysis's columns. Records
 * that break the schema come back in `rejected`; only an unusable file throws.
 */
export async function loadSnapshot(path: string, onProgress?: (p: ReadProgress) => void): Promise<LoadedSnapshot> {
  const builder = new AnalysisInputBuilder();
  try {
    const read = await readSnapshotFile(path, builder, onProgress ? { onProgress } : {});
    return { input: builder.finish(read.header.currency, read.header.fiscalYearStartMonth), rejected: read.rejected, format: read.format };
  } catch (error) {
    if (error instanceof SnapshotSyntaxError) throw new InputError(`snapshot ${path} ${oneLine(error.message)}`);
    if (error instanceof SnapshotFormatError) throw new InputError(`snapshot ${path}: ${oneLine(error.message)}`);
    if (error && typeof error === 'object' && 'code' in error) throw new InputError(`cannot read snapshot ${path}: ${describeFsError(error)}`);
    throw error;
  }
}

export async function loadConfig(path: string | undefined): Promise<AnalysisConfig> {
  if (path === undefined) return DEFAULT_ANALYSIS_CONFIG;
  const raw = await readJsonFile(path, 'config');
  try {
    return parseAnalysisConfig(raw);
  } catch (error) {
    if (error instanceof ConfigError) throw new InputError(`config ${path}: ${oneLine(error.message)}`);
    throw error;
  }
}
