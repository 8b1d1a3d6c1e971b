import { createHash } from 'node:crypto';
import type { Cursor } from '../../src/contract/connector.ts';

/**
 * What a stream's cursor knows of what was read: the fingerprint of the file (and of the
 * mapping that read it), how many rows were read, and once a read is complete, a digest of
 * every row: each record's id with a short hash of its content, and the hashes of the rows
 * that could not become records. An incremental pull compares the rows with the digest: new
 * or changed records come through, ids the digest has and the file no longer has are
 * deletions, and a bad row is reported again only when it changed.
 */

export interface StreamCursor {
  /** Hash of the file the stream reads and of the mapping options: equal means nothing changed. */
  fingerprint: string;
  /** Data rows read (blank rows aside): a resumed read skips them. */
  offset: number;
  /** The whole stream's digest; null on a page in the middle of a read. */
  digest: string | null;
}

export function encodeCursor(c: StreamCursor): Cursor {
  return { v: 1, fingerprint: c.fingerprint, offset: c.offset, digest: c.digest };
}

/** The cursor as this connector wrote it, or null for anything else (a fresh start). */
export function decodeCursor(c: Cursor | undefined): StreamCursor | null {
  if (!c || c['v'] !== 1) return null;
  const { fingerprint, offset, digest } = c;
  if (typeof fingerprint !== 'string' || typeof offset !== 'number' || !Number.isInteger(offset) || offset < 0) return null;
  if (digest !== null && typeof digest !== 'string') return null;
  return { fingerprint, offset, digest };
}

/** 48 bits of SHA-1: the chance that an edit goes unseen is one in 2^48 per row. */
export function contentHash(value: unknown): string {
  return createHash('sha1').update(JSON.stringify(value)).digest('base64url').slice(0, 8);
}

// The id is everything before the last tab (hashes have none); only line breaks need escaping.
const escapeId = (id: string): string => (/[\\\n]/.test(id) ? id.replace(/\\/g, '\\\\').replace(/\n/g, '\\n') : id);
const unescapeId = (id: string): string => (id.includes('\\') ? id.replace(/\\(\\|n)/g, (_m, c: string) => (c === 'n' ? '\n' : '\\')) : id);

export class DigestBuilder {
  private readonly lines: string[] = [];
  record(id: string, hash: string): void {
    this.lines.push(`${escapeId(id)}\t${hash}`);
  }
  rejected(hash: string): void {
    this.lines.push(`\t${hash}`);
  }
  toString(): string {
    return this.lines.join('\n');
  }
}

export interface Digest {
  records: Map<string, string>;
  rejected: Set<string>;
}

export function parseDigest(text: string): Digest {
  const records = new Map<string, string>();
  const rejected = new Set<string>();
  if (text === '') return { records, rejected };
  for (const line of text.split('\n')) {
    const tab = line.lastIndexOf('\t');
    const id = unescapeId(line.slice(0, tab));
    const hash = line.slice(tab + 1);
    if (id === '') rejected.add(hash);
    else records.set(id, hash);
  }
  return { records, rejected };
}
