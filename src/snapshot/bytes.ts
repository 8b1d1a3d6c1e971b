import { isAscii } from 'node:buffer';

/**
 * A byte buffer that text is read into piece by piece, keeping only the bytes a scanner still
 * needs. Scanners decode ranges of it to strings for JSON.parse, which is native and several
 * times faster than any tokenizer written in JavaScript.
 */
export class ByteWindow {
  buf: Buffer;
  /** Bytes in use: `buf[0 .. length)`. */
  length = 0;
  /** File offset of `buf[0]`. */
  offset = 0;

  constructor(capacity = 1 << 22) {
    this.buf = Buffer.allocUnsafe(capacity);
  }

  /** Drops the bytes before `keep` and appends `chunk`; returns how far positions moved back. */
  append(chunk: Uint8Array, keep: number): number {
    const kept = this.length - keep;
    if (keep > 0) this.buf.copy(this.buf, 0, keep, this.length);
    if (kept + chunk.length > this.buf.length) {
      const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, kept + chunk.length));
      this.buf.copy(bigger, 0, 0, kept);
      this.buf = bigger;
    }
    this.buf.set(chunk, kept);
    this.length = kept + chunk.length;
    this.offset += keep;
    return keep;
  }

  /** `buf[from .. to)` as text: one byte a character when it is ASCII (most CRM data), else UTF-8. */
  text(from: number, to: number): string {
    const part = this.buf.subarray(from, to);
    return isAscii(part) ? part.toString('latin1') : part.toString('utf8');
  }
}

/** Raised for a file that is not well-formed JSON or NDJSON; the message follows "snapshot FILE ", and says where. */
export class SnapshotSyntaxError extends Error {
  override readonly name = 'SnapshotSyntaxError';
}

/** The bytes of JSON's structure that the scanners look for. */
export const QUOTE = 0x22;
export const BACKSLASH = 0x5c;
export const COMMA = 0x2c;
export const COLON = 0x3a;
export const OPEN_BRACE = 0x7b;
export const CLOSE_BRACE = 0x7d;
export const OPEN_BRACKET = 0x5b;
export const CLOSE_BRACKET = 0x5d;

export const isSpace = (c: number): boolean => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/** The first line of a JSON.parse message, which is all that says what went wrong. */
export function parseMessage(error: unknown): string {
  const m = error instanceof Error ? error.message : String(error);
  return m.split('\n')[0] ?? m;
}
