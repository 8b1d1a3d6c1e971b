import { isIsoDate } from '../model/snapshot-check.ts';
import { MAX_AMOUNT, MAX_QUANTITY, type LineItem, type OpportunityStatus } from '../model/snapshot.ts';
import type { ContactRow, OpportunityRow } from '../model/snapshot-intake.ts';
import { BACKSLASH, CLOSE_BRACE, CLOSE_BRACKET, COLON, COMMA, OPEN_BRACE, OPEN_BRACKET, QUOTE } from './bytes.ts';

/**
 * Contacts and opportunities (with their line items) read straight from the file's bytes into
 * reused rows, holding only what the analysis's columns take: no object per record, no string
 * for a name or a title. At a million accounts these are 18 of the 19 million records, and
 * JSON.parse building each one whole (then the collector clearing it) was most of reading.
 *
 * It is a fast lane, not a second reader: it accepts a record only when it is sure JSON.parse
 * and the record checks would accept it with the same values, and answers false for anything
 * else (an escape in a string, a conversion note, a duplicated key, a value of the wrong type,
 * a number it cannot read exactly, bad syntax), which the caller then reads the usual way and
 * which gets the usual verdict and message. A test holds it to that on mutated records.
 */

const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;
const LOWER_E = 0x65;
const UPPER_E = 0x45;
const MAX_DEPTH = 64;

/** Powers of ten a double holds exactly: a mantissa below 2^53 divided by one is correctly rounded. */
const POW10 = Array.from({ length: 23 }, (_, k) => 10 ** k);

const bytes = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));
const K = {
  id: bytes('id'), name: bytes('name'), email: bytes('email'), title: bytes('title'), active: bytes('active'),
  accountId: bytes('accountId'), referenceable: bytes('referenceable'), status: bytes('status'), amount: bytes('amount'),
  closeDate: bytes('closeDate'), ownerId: bytes('ownerId'), lineItems: bytes('lineItems'), conversion: bytes('conversion'),
  productId: bytes('productId'), quantity: bytes('quantity'), totalPrice: bytes('totalPrice'), cost: bytes('cost'),
  proto: bytes('__proto__'), open: bytes('open'), won: bytes('won'), lost: bytes('lost'),
  true: bytes('true'), false: bytes('false'), null: bytes('null'),
};

type Slicer = (this: Buffer, from: number, to: number) => string;
const proto = Buffer.prototype as unknown as { latin1Slice?: Slicer; utf8Slice?: Slicer };
const latin1: Slicer = proto.latin1Slice ?? function (this: Buffer, from: number, to: number) { return this.toString('latin1', from, to); };
const utf8: Slicer = proto.utf8Slice ?? function (this: Buffer, from: number, to: number) { return this.toString('utf8', from, to); };

const SLOTS = 1024;
const SLOT_BYTES = 48;

/**
 * Strings met before, found again by their bytes: the account a contact or an opportunity
 * belongs to, owners, products and dates repeat from record to record, and the same string
 * back costs no decoding and no new object (and the tables they are then looked up in see the
 * same string again). A slot per hash of the bytes, the last string of that hash kept.
 */
class InternedStrings {
  private readonly keys = new Uint8Array(SLOTS * SLOT_BYTES);
  private readonly lengths = new Int32Array(SLOTS).fill(-1);
  private readonly values: string[] = new Array<string>(SLOTS).fill('');

  /** `b[from .. to)`, all ASCII, as a string. */
  get(b: Buffer, from: number, to: number): string {
    const n = to - from;
    if (n > SLOT_BYTES) return latin1.call(b, from, to);
    let h = n;
    for (let i = from; i < to; i++) h = Math.imul(h ^ (b[i] as number), 0x01000193);
    const slot = (h >>> 0) & (SLOTS - 1);
    const keys = this.keys;
    const at = slot * SLOT_BYTES;
    if (this.lengths[slot] === n) {
      let same = true;
      for (let i = 0; i < n; i++) {
        if (keys[at + i] !== b[from + i]) {
          same = false;
          break;
        }
      }
      if (same) return this.values[slot] as string;
    }
    const value = latin1.call(b, from, to);
    for (let i = 0; i < n; i++) keys[at + i] = b[from + i] as number;
    this.lengths[slot] = n;
    this.values[slot] = value;
    return value;
  }
}

/** A contact row over the bytes it was read from: the email is decoded only when asked for. */
class LeanContact implements ContactRow {
  id = '';
  accountId: string | null = null;
  active = true;
  referenceable = false;
  buf: Buffer = Buffer.alloc(0);
  emailFrom = -1;
  emailTo = 0;
  emailAscii = true;

  get email(): string | null {
    if (this.emailFrom < 0) return null;
    return (this.emailAscii ? latin1 : utf8).call(this.buf, this.emailFrom, this.emailTo);
  }
}

class LeanOpportunity implements OpportunityRow {
  id = '';
  accountId = '';
  status: OpportunityStatus = 'open';
  amount: number | null = null;
  closeDate = '';
  ownerId: string | null = null;
  conversion = undefined;
}

// Which known keys a record has had (a second one sends it the usual way: JSON.parse keeps the last).
const C_ID = 1, C_ACCOUNT = 2, C_NAME = 4, C_EMAIL = 8, C_TITLE = 16, C_ACTIVE = 32, C_REFERENCEABLE = 64;
const O_ID = 1, O_ACCOUNT = 2, O_NAME = 4, O_STATUS = 8, O_AMOUNT = 16, O_CLOSE = 32, O_OWNER = 64, O_LINES = 128;
const L_ID = 1, L_PRODUCT = 2, L_QUANTITY = 4, L_TOTAL = 8, L_COST = 16;

export class LeanRecordReader {
  private b: Buffer = Buffer.alloc(0);
  private p = 0;
  private limit = 0;
  /** The last string read: `b[sFrom .. sTo)`, and whether it is all ASCII. */
  private sFrom = 0;
  private sTo = 0;
  private sAscii = true;
  /** The last number read. */
  private num = 0;
  private readonly interned = new InternedStrings();
  private readonly contactRow = new LeanContact();
  private readonly oppRow = new LeanOpportunity();
  private readonly pool: LineItem[] = [];
  private readonly items: LineItem[] = [];
  /** After a record was read: the position just past its closing brace. */
  end = 0;

  /**
   * The contact starting at `b[from]` (spaces before it allowed), not reading past `limit`, or
   * null when it must be read the usual way; `end` is then the position after it. The row is
   * reused: valid until the next call.
   */
  contact(b: Buffer, from: number, limit: number): ContactRow | null {
    this.b = b;
    this.p = from;
    this.limit = limit;
    const row = this.contactRow;
    row.buf = b;
    row.accountId = null;
    row.active = true;
    row.referenceable = false;
    row.emailFrom = -1;
    let seen = 0;
    if (!this.open(OPEN_BRACE)) return null;
    if (this.peek() === CLOSE_BRACE) return null;
    for (;;) {
      if (!this.key()) return null;
      const n = this.sTo - this.sFrom;
      let bit = 0;
      if (n === 2 && this.keyIs(K.id)) {
        bit = C_ID;
        if (!this.str() || this.sTo === this.sFrom) return null;
        row.id = this.text();
      } else if (n === 9 && this.keyIs(K.accountId)) {
        bit = C_ACCOUNT;
        const v = this.textOrNull(true);
        if (v === undefined) return null;
        row.accountId = v;
      } else if (n === 4 && this.keyIs(K.name)) {
        bit = C_NAME;
        if (!this.str()) return null;
      } else if (n === 5 && this.keyIs(K.email)) {
        bit = C_EMAIL;
        if (this.peek() === QUOTE) {
          if (!this.str()) return null;
          row.emailFrom = this.sFrom;
          row.emailTo = this.sTo;
          row.emailAscii = this.sAscii;
        } else if (!this.literal(K.null)) return null;
      } else if (n === 5 && this.keyIs(K.title)) {
        bit = C_TITLE;
        if (this.peek() === QUOTE ? !this.str() : !this.literal(K.null)) return null;
      } else if (n === 6 && this.keyIs(K.active)) {
        bit = C_ACTIVE;
        const v = this.bool();
        if (v === null) return null;
        row.active = v;
      } else if (n === 13 && this.keyIs(K.referenceable)) {
        bit = C_REFERENCEABLE;
        const v = this.bool();
        if (v === null) return null;
        row.referenceable = v;
      } else if (!this.unknownValue()) return null;
      if ((seen & bit) !== 0) return null;
      seen |= bit;
      const next = this.after();
      if (next === CLOSE_BRACE) break;
      if (next !== COMMA) return null;
    }
    if ((seen & C_ID) === 0) return null;
    this.end = this.p;
    return row;
  }

  /**
   * The opportunity starting at `b[from]` and its line items, as `contact` reads a contact (a
   * line item the checks would refuse sends the whole opportunity the usual way, where that one
   * is refused alone). Row and list are reused: valid until the next call.
   */
  opportunity(b: Buffer, from: number, limit: number): { row: OpportunityRow; lineItems: LineItem[] } | null {
    this.b = b;
    this.p = from;
    this.limit = limit;
    const row = this.oppRow;
    row.amount = null;
    row.ownerId = null;
    this.items.length = 0;
    let seen = 0;
    if (!this.open(OPEN_BRACE)) return null;
    if (this.peek() === CLOSE_BRACE) return null;
    for (;;) {
      if (!this.key()) return null;
      const n = this.sTo - this.sFrom;
      let bit = 0;
      if (n === 2 && this.keyIs(K.id)) {
        bit = O_ID;
        if (!this.str() || this.sTo === this.sFrom) return null;
        row.id = this.text();
      } else if (n === 9 && this.keyIs(K.accountId)) {
        bit = O_ACCOUNT;
        if (!this.str() || this.sTo === this.sFrom) return null;
        row.accountId = this.repeated();
      } else if (n === 4 && this.keyIs(K.name)) {
        bit = O_NAME;
        if (!this.str()) return null;
      } else if (n === 6 && this.keyIs(K.status)) {
        bit = O_STATUS;
        if (!this.str()) return null;
        if (this.strIs(K.won)) row.status = 'won';
        else if (this.strIs(K.open)) row.status = 'open';
        else if (this.strIs(K.lost)) row.status = 'lost';
        else return null;
      } else if (n === 6 && this.keyIs(K.amount)) {
        bit = O_AMOUNT;
        const v = this.amountOrNull(MAX_AMOUNT);
        if (v === undefined) return null;
        row.amount = v;
      } else if (n === 9 && this.keyIs(K.closeDate)) {
        bit = O_CLOSE;
        if (!this.str()) return null;
        const d = this.repeated();
        if (!isIsoDate(d)) return null;
        row.closeDate = d;
      } else if (n === 7 && this.keyIs(K.ownerId)) {
        bit = O_OWNER;
        const v = this.textOrNull(true);
        if (v === undefined) return null;
        row.ownerId = v;
      } else if (n === 9 && this.keyIs(K.lineItems)) {
        bit = O_LINES;
        if (!this.lineItems()) return null;
      } else if (n === 10 && this.keyIs(K.conversion)) {
        return null;
      } else if (!this.unknownValue()) return null;
      if ((seen & bit) !== 0) return null;
      seen |= bit;
      const next = this.after();
      if (next === CLOSE_BRACE) break;
      if (next !== COMMA) return null;
    }
    const required = O_ID | O_ACCOUNT | O_STATUS | O_CLOSE;
    if ((seen & required) !== required) return null;
    this.end = this.p;
    return { row, lineItems: this.items };
  }

  private lineItems(): boolean {
    if (this.b[this.p] !== OPEN_BRACKET) return false;
    this.p++;
    this.ws();
    if (this.b[this.p] === CLOSE_BRACKET) {
      this.p++;
      return true;
    }
    for (;;) {
      if (!this.lineItem()) return false;
      const next = this.after();
      if (next === CLOSE_BRACKET) return true;
      if (next !== COMMA) return false;
      this.ws();
    }
  }

  private lineItem(): boolean {
    if (this.b[this.p] !== OPEN_BRACE) return false;
    this.p++;
    this.ws();
    if (this.b[this.p] === CLOSE_BRACE) return false;
    const k = this.items.length;
    let li = this.pool[k];
    if (li === undefined) {
      li = { id: '', productId: '', quantity: 1, totalPrice: 0, cost: null };
      this.pool.push(li);
    }
    li.quantity = 1;
    li.cost = null;
    let seen = 0;
    for (;;) {
      if (!this.key()) return false;
      const n = this.sTo - this.sFrom;
      let bit = 0;
      if (n === 2 && this.keyIs(K.id)) {
        bit = L_ID;
        if (!this.str() || this.sTo === this.sFrom) return false;
        li.id = this.text();
      } else if (n === 9 && this.keyIs(K.productId)) {
        bit = L_PRODUCT;
        if (!this.str() || this.sTo === this.sFrom) return false;
        li.productId = this.repeated();
      } else if (n === 8 && this.keyIs(K.quantity)) {
        bit = L_QUANTITY;
        if (!this.number() || !(this.num >= -MAX_QUANTITY && this.num <= MAX_QUANTITY)) return false;
        li.quantity = this.num;
      } else if (n === 10 && this.keyIs(K.totalPrice)) {
        bit = L_TOTAL;
        if (!this.number() || !(this.num >= -MAX_AMOUNT && this.num <= MAX_AMOUNT)) return false;
        li.totalPrice = this.num;
      } else if (n === 4 && this.keyIs(K.cost)) {
        bit = L_COST;
        const v = this.amountOrNull(MAX_AMOUNT);
        if (v === undefined) return false;
        li.cost = v;
      } else if (n === 10 && this.keyIs(K.conversion)) {
        return false;
      } else if (!this.unknownValue()) return false;
      if ((seen & bit) !== 0) return false;
      seen |= bit;
      const next = this.after();
      if (next === CLOSE_BRACE) break;
      if (next !== COMMA) return false;
    }
    const required = L_ID | L_PRODUCT | L_TOTAL;
    if ((seen & required) !== required) return false;
    this.items.push(li);
    return true;
  }

  // --- tokens -------------------------------------------------------------------------------

  private ws(): void {
    const b = this.b;
    let p = this.p;
    for (;;) {
      const c = b[p];
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
      p++;
    }
    this.p = p;
  }

  private peek(): number {
    return this.p < this.limit ? (this.b[this.p] as number) : -1;
  }

  /** Spaces, the opening character, spaces. */
  private open(c: number): boolean {
    this.ws();
    if (this.p >= this.limit || this.b[this.p] !== c) return false;
    this.p++;
    this.ws();
    return true;
  }

  /** Spaces, then the next structural character (consumed), or -1. */
  private after(): number {
    this.ws();
    if (this.p >= this.limit) return -1;
    const c = this.b[this.p++] as number;
    if (c === COMMA) this.ws();
    return c;
  }

  /** A key and its colon; `sFrom .. sTo` is the key. */
  private key(): boolean {
    if (!this.str()) return false;
    this.ws();
    if (this.b[this.p] !== COLON) return false;
    this.p++;
    this.ws();
    return true;
  }

  private keyIs(k: Uint8Array): boolean {
    return this.strIs(k);
  }

  private strIs(k: Uint8Array): boolean {
    if (this.sTo - this.sFrom !== k.length) return false;
    const b = this.b;
    const s = this.sFrom;
    for (let i = 0; i < k.length; i++) if (b[s + i] !== k[i]) return false;
    return true;
  }

  /** A string without escapes or control characters (those go the usual way). */
  private str(): boolean {
    const b = this.b;
    let q = this.p;
    if (b[q] !== QUOTE) return false;
    q++;
    const from = q;
    const end = this.limit;
    let ascii = true;
    for (;;) {
      if (q >= end) return false;
      const c = b[q] as number;
      if (c === QUOTE) break;
      if (c === BACKSLASH || c < 0x20) return false;
      if (c >= 0x80) ascii = false;
      q++;
    }
    this.sFrom = from;
    this.sTo = q;
    this.sAscii = ascii;
    this.p = q + 1;
    return true;
  }

  private text(): string {
    return (this.sAscii ? latin1 : utf8).call(this.b, this.sFrom, this.sTo);
  }

  /** The string just read, from the interned ones when it is ASCII. */
  private repeated(): string {
    return this.sAscii ? this.interned.get(this.b, this.sFrom, this.sTo) : utf8.call(this.b, this.sFrom, this.sTo);
  }

  /** A string, null, or undefined for anything else; `repeats`: a value that recurs from record to record. */
  private textOrNull(repeats = false): string | null | undefined {
    if (this.b[this.p] === QUOTE) return this.str() ? (repeats ? this.repeated() : this.text()) : undefined;
    return this.literal(K.null) ? null : undefined;
  }

  private literal(k: Uint8Array): boolean {
    const b = this.b;
    const p = this.p;
    if (p + k.length > this.limit) return false;
    for (let i = 0; i < k.length; i++) if (b[p + i] !== k[i]) return false;
    this.p = p + k.length;
    return true;
  }

  private bool(): boolean | null {
    const c = this.b[this.p];
    if (c === 0x74) return this.literal(K.true) ? true : null;
    if (c === 0x66) return this.literal(K.false) ? false : null;
    return null;
  }

  /** A number within ±max, null, or undefined for anything else. */
  private amountOrNull(max: number): number | null | undefined {
    if (this.b[this.p] === 0x6e) return this.literal(K.null) ? null : undefined;
    if (!this.number() || !(this.num >= -max && this.num <= max)) return undefined;
    return this.num;
  }

  /**
   * A number in JSON's grammar, into `num`: up to 15 digits with at most 22 after the point are
   * one exact division (the correctly rounded value, as JSON.parse gives); others are read by
   * Number() from their text, which rounds the same way.
   */
  private number(): boolean {
    const b = this.b;
    const end = this.limit;
    const start = this.p;
    let q = start;
    const neg = b[q] === MINUS;
    if (neg) q++;
    let c = q < end ? (b[q] as number) : -1;
    let m = 0;
    let digits = 0;
    if (c === ZERO) {
      q++;
    } else if (c > ZERO && c <= NINE) {
      while (q < end && (c = b[q] as number) >= ZERO && c <= NINE) {
        m = m * 10 + (c - ZERO);
        digits++;
        q++;
      }
    } else {
      return false;
    }
    let frac = 0;
    if (q < end && b[q] === DOT) {
      q++;
      const f = q;
      while (q < end && (c = b[q] as number) >= ZERO && c <= NINE) {
        m = m * 10 + (c - ZERO);
        digits++;
        q++;
      }
      frac = q - f;
      if (frac === 0) return false;
    }
    let exact = digits <= 15 && frac <= 22;
    if (q < end && (b[q] === LOWER_E || b[q] === UPPER_E)) {
      q++;
      if (q < end && (b[q] === PLUS || b[q] === MINUS)) q++;
      const e = q;
      while (q < end && (c = b[q] as number) >= ZERO && c <= NINE) q++;
      if (q === e) return false;
      exact = false;
    }
    let v: number;
    if (exact) v = frac === 0 ? m : m / (POW10[frac] as number);
    else v = Number(latin1.call(b, neg ? start + 1 : start, q));
    this.num = neg ? -v : v;
    this.p = q;
    return true;
  }

  /** The value of a key the record does not use: checked for its syntax and passed over. */
  private unknownValue(): boolean {
    if (this.strIs(K.proto)) return false;
    return this.skipValue(0);
  }

  private skipValue(depth: number): boolean {
    if (depth > MAX_DEPTH || this.p >= this.limit) return false;
    const c = this.b[this.p] as number;
    if (c === QUOTE) return this.str();
    if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      const object = c === OPEN_BRACE;
      const closing = object ? CLOSE_BRACE : CLOSE_BRACKET;
      this.p++;
      this.ws();
      if (this.b[this.p] === closing) {
        this.p++;
        return true;
      }
      for (;;) {
        if (object && !this.key()) return false;
        if (!this.skipValue(depth + 1)) return false;
        const next = this.after();
        if (next === closing) return true;
        if (next !== COMMA) return false;
      }
    }
    if (c === 0x74) return this.literal(K.true);
    if (c === 0x66) return this.literal(K.false);
    if (c === 0x6e) return this.literal(K.null);
    return this.number();
  }
}
