import { RECORD_LISTS } from '../model/snapshot-intake.ts';
import { SnapshotFormatError } from '../model/snapshot.ts';
import {
  BACKSLASH, ByteWindow, CLOSE_BRACE, CLOSE_BRACKET, COLON, COMMA, isSpace, OPEN_BRACE, OPEN_BRACKET, parseMessage, QUOTE, SnapshotSyntaxError,
} from './bytes.ts';

/** What the scanner finds in a snapshot document, in the order of the file. */
export interface JsonDocumentHandler {
  /**
   * A top-level key other than a record list given as an array: its value's JSON text, or null
   * when longer than MAX_HEADER_VALUE (only the first byte, `first`, is then known).
   */
  value(key: string, text: string | null, first: number): void;
  /** Records of a list, parsed, in order; `index` is the position of the first in its array. */
  records(list: string, values: unknown[], index: number): void;
  /**
   * For a list whose records the handler can read straight from the bytes: offered each record
   * in turn, and when it declines one, that record is parsed alone and given to `records`.
   * Null or absent: the list goes by `records`, in runs.
   */
  recordReader?(list: string): RecordReader | null;
}

/** Reads a record from bytes in two steps, so that nothing is taken before the record is known to be whole. */
export interface RecordReader {
  /**
   * Reads the record starting at `b[from]` (not past `limit`): the position after it, or -1 when
   * declined (not sure of it, or it runs past `limit`). Has no effect until `take`.
   */
  read(b: Buffer, from: number, limit: number): number;
  /** Takes the record just read. */
  take(): void;
}

const MAX_HEADER_VALUE = 1 << 20;
const BATCH_BYTES = 1 << 20;

const enum State { Start, KeyOrEnd, NextKey, Key, Colon, Value, List, Skip, AfterValue, Done }

const SNAPSHOT_LISTS: ReadonlySet<string> = new Set(Object.keys(RECORD_LISTS));

/**
 * Reads a snapshot document (one JSON object whose record lists may be gigabytes) from bytes
 * fed in pieces of any size. Only the structure is scanned here, byte by byte (strings skipped
 * with a native search for the closing quote); each record list is cut at its top-level commas
 * into runs of about a megabyte that JSON.parse reads as arrays. Memory stays at a few
 * megabytes whatever the file's size, and no string comes near V8's limit.
 */
export class JsonSnapshotScanner {
  private readonly w = new ByteWindow();
  private state = State.Start;
  private pos = 0;
  /** Start of what must be kept: a key, a captured value, the run of records being gathered. */
  private mark = 0;
  private key = '';
  private list = '';
  private listIndex = 0;
  private reader: RecordReader | null = null;
  /** With a reader: scanning one record byte by byte (the reader declined it), to parse it alone. */
  private slot = false;
  /** Nesting inside the current list element or skipped value. */
  private depth = 0;
  /** Top-level commas of the current run of records (element boundaries), for error messages. */
  private cuts: number[] = [];
  private capture = true;
  private skipFirst = 0;
  private readonly seenKeys = new Set<string>();
  private started = false;

  /** `lists`: the top-level keys whose arrays are streamed record by record (the snapshot's lists by default). */
  constructor(private readonly handler: JsonDocumentHandler, private readonly lists: ReadonlySet<string> = SNAPSHOT_LISTS) {}

  /** Bytes read so far (for progress). */
  get bytesRead(): number {
    return this.w.offset + this.w.length;
  }

  feed(chunk: Uint8Array): void {
    const keep = this.keepFrom();
    const moved = this.w.append(chunk, keep);
    this.pos -= moved;
    this.mark -= moved;
    for (let k = 0; k < this.cuts.length; k++) this.cuts[k] = (this.cuts[k] as number) - moved;
    if (!this.started) {
      // A byte-order mark is skipped; nothing is scanned before its three bytes could be told.
      if (this.w.length < 3) return;
      this.started = true;
      const b = this.w.buf;
      if (b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) this.pos = 3;
    }
    this.scan();
  }

  /** Call after the last byte: throws when the document is incomplete. */
  finish(): void {
    if (!this.started) {
      this.started = true;
      this.scan();
    }
    if (this.state !== State.Done) {
      if (this.state === State.Start) throw new SnapshotSyntaxError('is empty');
      throw this.error('the document ends before it is complete (a truncated file?)');
    }
  }

  private keepFrom(): number {
    switch (this.state) {
      case State.Key:
      case State.List:
        return this.mark;
      case State.Skip:
        return this.capture ? this.mark : this.pos;
      default:
        return this.pos;
    }
  }

  private error(message: string, at = this.pos): SnapshotSyntaxError {
    return new SnapshotSyntaxError(`is not valid JSON: ${message} (byte ${this.w.offset + at})`);
  }

  /** The end of the string whose opening quote is at `at`, or -1 when it is not all here yet. */
  private stringEnd(b: Uint8Array, at: number): number {
    let q = at + 1;
    for (;;) {
      q = b.indexOf(QUOTE, q);
      if (q === -1) return -1;
      let k = q - 1;
      while (b[k] === BACKSLASH) k--;
      if (((q - 1 - k) & 1) === 0) return q;
      q++;
    }
  }

  private scan(): void {
    const b = this.w.buf.subarray(0, this.w.length);
    const len = b.length;
    while (this.pos < len) {
      const c = b[this.pos] as number;
      if (isSpace(c) && this.state !== State.List && this.state !== State.Skip && this.state !== State.Key) {
        this.pos++;
        continue;
      }
      switch (this.state) {
        case State.Start:
          if (c !== OPEN_BRACE) throw new SnapshotFormatError(`not a valid snapshot: a snapshot is a JSON object, this file starts with "${String.fromCharCode(c)}"`);
          this.pos++;
          this.state = State.KeyOrEnd;
          break;
        case State.KeyOrEnd:
        case State.NextKey:
          if (c === CLOSE_BRACE && this.state === State.KeyOrEnd) {
            this.pos++;
            this.state = State.Done;
            break;
          }
          if (c !== QUOTE) throw this.error(c === CLOSE_BRACE ? 'a trailing comma before "}"' : `expected a key in quotes, found "${String.fromCharCode(c)}"`);
          this.mark = this.pos;
          this.state = State.Key;
          break;
        case State.Key: {
          const end = this.stringEnd(b, this.mark);
          if (end === -1) {
            this.pos = len;
            return;
          }
          this.key = JSON.parse(this.w.text(this.mark, end + 1)) as string;
          if (this.seenKeys.has(this.key)) throw this.error(`the key "${this.key}" appears twice`, this.mark);
          this.seenKeys.add(this.key);
          this.pos = end + 1;
          this.state = State.Colon;
          break;
        }
        case State.Colon:
          if (c !== COLON) throw this.error(`expected ":" after the key "${this.key}"`);
          this.pos++;
          this.state = State.Value;
          break;
        case State.Value:
          this.depth = 0;
          if (c === OPEN_BRACKET && this.lists.has(this.key)) {
            this.list = this.key;
            this.listIndex = 0;
            this.cuts = [];
            this.reader = this.handler.recordReader?.(this.key) ?? null;
            this.slot = false;
            // The opening bracket is kept: it is the first run's "[" for JSON.parse.
            this.mark = this.pos;
            this.pos++;
            this.state = State.List;
          } else {
            this.mark = this.pos;
            this.skipFirst = c;
            this.capture = true;
            this.state = State.Skip;
          }
          break;
        case State.List:
          if (!(this.reader === null ? this.scanList(b) : this.scanRecords(b, this.reader))) return;
          this.state = State.AfterValue;
          break;
        case State.Skip:
          if (!this.scanSkip(b)) return;
          this.state = State.AfterValue;
          break;
        case State.AfterValue:
          if (c === COMMA) this.state = State.NextKey;
          else if (c === CLOSE_BRACE) this.state = State.Done;
          else throw this.error(`expected "," or "}" after the value of "${this.key}"`);
          this.pos++;
          break;
        case State.Done:
          throw this.error('unexpected content after the end of the document');
      }
    }
  }

  /** Scans a record list from `pos`, cutting it into runs; true when its closing bracket was reached. */
  private scanList(b: Uint8Array): boolean {
    for (;;) {
      const at = this.elementEnd(b);
      if (at === -1) return false;
      this.depth = 0;
      this.pos = at + 1;
      if (b[at] === CLOSE_BRACKET) {
        this.parseRun(at);
        return true;
      }
      this.cuts.push(at);
      if (at - this.mark >= BATCH_BYTES) {
        this.parseRun(at);
        this.mark = at;
        this.cuts = [];
      }
    }
  }

  /**
   * Parses the records between `mark` (a "[" or ",") and `end` (a "," or "]") as one array: the
   * two delimiters are turned into brackets for the call and restored after.
   */
  private parseRun(end: number): void {
    const b = this.w.buf;
    const open = b[this.mark] as number;
    const close = b[end] as number;
    b[this.mark] = OPEN_BRACKET;
    b[end] = CLOSE_BRACKET;
    let values: unknown;
    try {
      values = JSON.parse(this.w.text(this.mark, end + 1));
    } catch (error) {
      b[this.mark] = open;
      b[end] = close;
      throw this.runError(end, error);
    }
    b[this.mark] = open;
    b[end] = close;
    const list = values as unknown[];
    // An empty slot (",," or a trailing comma) would parse as an error above; an empty list is [].
    if (list.length > 0 || this.cuts.length > 0) this.handler.records(this.list, list, this.listIndex);
    this.listIndex += list.length;
  }

  /**
   * Scans a record list whose records a reader takes (`mark` at the "[" or "," before the
   * current record, `pos` after it); true when the closing bracket was reached. The reader finds
   * each record's end itself, so those bytes are gone over once; a record it declines is
   * scanned to its end and parsed alone, and named as `runError` would name it.
   */
  private scanRecords(b: Buffer, reader: RecordReader): boolean {
    const len = b.length;
    for (;;) {
      if (this.slot) {
        const at = this.elementEnd(b);
        if (at === -1) return false;
        const from = this.mark + 1;
        let value: unknown;
        try {
          value = JSON.parse(this.w.text(from, at));
        } catch (error) {
          throw this.error(`record ${this.listIndex} of "${this.list}": ${parseMessage(error)}`, from);
        }
        this.handler.records(this.list, [value], this.listIndex);
        this.listIndex++;
        this.slot = false;
        this.mark = at;
        this.pos = at + 1;
        if (b[at] === CLOSE_BRACKET) return true;
        continue;
      }
      let i = this.pos;
      while (i < len && isSpace(b[i] as number)) i++;
      if (i === len) return false;
      if (b[i] === CLOSE_BRACKET && b[this.mark] === OPEN_BRACKET) {
        this.pos = i + 1;
        return true;
      }
      let end = reader.read(b, i, len);
      if (end !== -1) {
        while (end < len && isSpace(b[end] as number)) end++;
        const c = end < len ? b[end] : -1;
        if (c === COMMA || c === CLOSE_BRACKET) {
          reader.take();
          this.listIndex++;
          this.mark = end;
          this.pos = end + 1;
          if (c === CLOSE_BRACKET) return true;
          continue;
        }
      }
      // Declined, cut by the end of what is read so far, or followed by something unexpected.
      this.slot = true;
      this.depth = 0;
      this.pos = this.mark + 1;
    }
  }

  /**
   * Scans the current list element from `pos` (at nesting `depth`) to the "," or "]" after it:
   * its position, or -1 when not all here yet (`pos` and `depth` then say where to go on).
   */
  private elementEnd(b: Uint8Array): number {
    const len = b.length;
    let i = this.pos;
    let depth = this.depth;
    while (i < len) {
      const c = b[i] as number;
      if (c === QUOTE) {
        const end = this.stringEnd(b, i);
        if (end === -1) break;
        i = end + 1;
        continue;
      }
      if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
      else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
        if (depth === 0) {
          if (c === CLOSE_BRACE) {
            this.pos = i;
            throw this.error(`unexpected "}" in the "${this.list}" list`);
          }
          return i;
        }
        depth--;
      } else if (c === COMMA && depth === 0) {
        return i;
      }
      i++;
    }
    this.pos = i;
    this.depth = depth;
    return -1;
  }

  /** Finds the first record of the run that does not parse, to name it. */
  private runError(end: number, error: unknown): SnapshotSyntaxError {
    const bounds = [this.mark, ...this.cuts.filter((c) => c < end), end];
    for (let k = 0; k + 1 < bounds.length; k++) {
      const from = (bounds[k] as number) + 1;
      const to = bounds[k + 1] as number;
      try {
        JSON.parse(this.w.text(from, to));
      } catch (e) {
        return this.error(`record ${this.listIndex + k} of "${this.list}": ${parseMessage(e)}`, from);
      }
    }
    return this.error(`in the "${this.list}" list: ${parseMessage(error)}`, this.mark);
  }

  /** Scans a value that is not a record list; true when it ended (at a "," or "}" of the object). */
  private scanSkip(b: Uint8Array): boolean {
    const len = b.length;
    let i = this.pos;
    let depth = this.depth;
    const scalar = this.skipFirst !== OPEN_BRACE && this.skipFirst !== OPEN_BRACKET && this.skipFirst !== QUOTE;
    while (i < len) {
      const c = b[i] as number;
      if (scalar) {
        if (c === COMMA || c === CLOSE_BRACE || isSpace(c)) {
          this.emitValue(i);
          this.pos = i;
          return true;
        }
        i++;
        continue;
      }
      if (c === QUOTE) {
        const end = this.stringEnd(b, i);
        if (end === -1) break;
        i = end + 1;
        if (depth === 0) {
          this.emitValue(i);
          this.pos = i;
          return true;
        }
        continue;
      }
      if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
      else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
        depth--;
        if (depth === 0) {
          this.emitValue(i + 1);
          this.pos = i + 1;
          return true;
        }
      }
      i++;
    }
    if (this.capture && i - this.mark > MAX_HEADER_VALUE) this.capture = false;
    this.pos = i;
    this.depth = depth;
    return false;
  }

  private emitValue(end: number): void {
    const text = this.capture && end - this.mark <= MAX_HEADER_VALUE ? this.w.text(this.mark, end) : null;
    if (text !== null) {
      try {
        JSON.parse(text);
      } catch (error) {
        throw this.error(`the value of "${this.key}": ${parseMessage(error)}`, this.mark);
      }
    }
    this.handler.value(this.key, text, this.skipFirst);
  }
}
