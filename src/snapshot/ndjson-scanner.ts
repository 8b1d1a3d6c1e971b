import { ByteWindow, isSpace, parseMessage, SnapshotSyntaxError } from './bytes.ts';

const NEWLINE = 0x0a;
const COMMA = 0x2c;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const BATCH_BYTES = 1 << 20;

/**
 * Reads newline-delimited JSON (one value a line, blank lines allowed) from bytes fed in pieces
 * of any size, and hands the values on in runs, each with the line number of its first. A run
 * of lines is parsed by one JSON.parse call: its newlines are turned into commas in the buffer,
 * the two ends into brackets (a raw newline cannot occur inside a JSON string, so each one ends
 * a line).
 */
export class NdjsonScanner {
  private readonly w = new ByteWindow();
  private pos = 0;
  /** The newline before the current run's first line (-1 at the start of the file). */
  private runStart = -1;
  /** Where each line of the current run ends: its newline, or the end of the file. */
  private ends: number[] = [];
  /** Line number of the run's first line. */
  private runLine = 1;
  private line = 1;
  private started = false;

  constructor(private readonly onValues: (values: unknown[], firstLine: number) => void) {}

  get bytesRead(): number {
    return this.w.offset + this.w.length;
  }

  feed(chunk: Uint8Array): void {
    const keep = this.ends.length > 0 ? Math.max(this.runStart, 0) : this.pos;
    const moved = this.w.append(chunk, keep);
    this.pos -= moved;
    if (this.ends.length > 0) {
      this.runStart -= moved;
      for (let k = 0; k < this.ends.length; k++) this.ends[k] = (this.ends[k] as number) - moved;
    }
    if (!this.started) {
      // A byte-order mark is skipped; nothing is scanned before its three bytes could be told.
      if (this.w.length < 3) return;
      this.started = true;
      const b = this.w.buf;
      if (b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) this.pos = 3;
    }
    this.scan(false);
  }

  finish(): void {
    if (!this.started) {
      this.started = true;
      const b = this.w.buf;
      if (this.w.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) this.pos = 3;
    }
    this.scan(true);
  }

  private scan(last: boolean): void {
    const b = this.w.buf.subarray(0, this.w.length);
    while (this.pos < b.length) {
      let nl = b.indexOf(NEWLINE, this.pos);
      if (nl === -1) {
        // The last line needs no newline.
        if (!last) break;
        nl = b.length;
      }
      if (isBlank(b, this.pos, nl)) {
        this.flush();
      } else {
        if (this.ends.length === 0) {
          this.runStart = this.pos - 1;
          this.runLine = this.line;
        }
        this.ends.push(nl);
        if (nl - this.runStart >= BATCH_BYTES) this.flush();
      }
      this.line++;
      this.pos = nl + 1;
    }
    if (last) this.flush();
  }

  private flush(): void {
    const n = this.ends.length;
    if (n === 0) return;
    const b = this.w.buf;
    const first = this.runStart + 1;
    const end = this.ends[n - 1] as number;
    let text: string;
    if (n === 1) {
      text = this.w.text(first, end);
    } else {
      // The bytes are consumed once parsed, so the newlines can become the array's punctuation.
      for (let k = 0; k < n - 1; k++) b[this.ends[k] as number] = COMMA;
      if (this.runStart >= 0 && end < this.w.length) {
        b[this.runStart] = OPEN_BRACKET;
        b[end] = CLOSE_BRACKET;
        text = this.w.text(this.runStart, end + 1);
      } else {
        text = `[${this.w.text(first, end)}]`;
      }
    }
    let values: unknown[] | null = null;
    try {
      const parsed: unknown = JSON.parse(text);
      values = n === 1 ? [parsed] : (parsed as unknown[]);
    } catch {
      values = null;
    }
    // A line holding two values ("1,2") would pass as two elements.
    if (values === null || values.length !== n) throw this.lineError(first);
    this.ends = [];
    this.onValues(values, this.runLine);
  }

  private lineError(first: number): SnapshotSyntaxError {
    for (let k = 0; k < this.ends.length; k++) {
      const from = k === 0 ? first : (this.ends[k - 1] as number) + 1;
      try {
        JSON.parse(this.w.text(from, this.ends[k] as number));
      } catch (e) {
        return new SnapshotSyntaxError(`is not valid NDJSON: line ${this.runLine + k}: ${parseMessage(e)}`);
      }
    }
    return new SnapshotSyntaxError(`is not valid NDJSON: line ${this.runLine}`);
  }
}

function isBlank(b: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (!isSpace(b[i] as number)) return false;
  return true;
}
