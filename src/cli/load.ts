import { readFile } from 'node:fs/promises';
import {
  ConfigError, DEFAULT_ANALYSIS_CONFIG, parseAnalysisConfig, type AnalysisConfig,
} from '../config/analysis-config.ts';
import { parseSnapshot, SnapshotFormatError, type ParsedSnapshot } from '../model/snapshot.ts';

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

/** Records that break the schema come back in `rejected`; only an unusable document throws. */
export async function loadSnapshot(path: string): Promise<ParsedSnapshot> {
  const raw = await readJsonFile(path, 'snapshot');
  try {
    return parseSnapshot(raw);
  } catch (error) {
    if (error instanceof SnapshotFormatError) throw new InputError(`snapshot ${path}: ${oneLine(error.message)}`);
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
