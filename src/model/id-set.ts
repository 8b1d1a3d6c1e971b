import { IdSet as TextIdSet } from './string-table.ts';
import { hasTrailingNumber, splitTrailingNumber, type TrailingNumber } from './trailing-number.ts';

/**
 * The set of ids of one kind that the duplicate checks of a snapshot need (millions of line
 * items and contacts), cheaper than hashing every id's characters: most CRM and exported ids
 * are a fixed prefix and a running number (`OLI-0999873`, HubSpot's `1234567`), so an id that
 * ends in 1 to 15 decimal digits is kept as a number under its prefix and digit count
 * (splitTrailingNumber), which together with the number give back exactly the id (`A-07` and
 * `A-7` stay apart). The numbers of one prefix go to a bitmap of 4,096-bit pages while that
 * stays dense, else to a hash of numbers; every other id goes to a hash of its characters. Which of these an id goes to
 * depends only on the id and on prefixes seen before it, so the same id always lands in the
 * same place.
 */
export class IdSet {
  private readonly text = new TextIdSet();
  private readonly groups = new Map<string, NumberSet>();
  private lastPrefix = '';
  private lastDigits = -1;
  private lastGroup: NumberSet | null = null;
  private count = 0;
  private readonly split: TrailingNumber = { digits: 0, value: 0 };

  get size(): number {
    return this.count;
  }

  /** Adds `id`; false when it was there already. */
  add(id: string): boolean {
    const added = this.addNew(id);
    if (added) this.count++;
    return added;
  }

  private addNew(id: string): boolean {
    const t = splitTrailingNumber(id, this.split);
    if (!hasTrailingNumber(t)) return this.text.add(id);
    const group = this.group(id, id.length - t.digits, t.digits);
    return group === null ? this.text.add(id) : group.add(t.value);
  }

  /** The numbers of ids with this prefix (`id[0 .. p)`) and digit count; null past MAX_GROUPS new ones. */
  private group(id: string, p: number, digits: number): NumberSet | null {
    if (digits === this.lastDigits && p === this.lastPrefix.length && this.lastGroup !== null) {
      const last = this.lastPrefix;
      let same = true;
      for (let i = 0; i < p && same; i++) same = id.charCodeAt(i) === last.charCodeAt(i);
      if (same) return this.lastGroup;
    }
    const prefix = id.slice(0, p);
    const key = `${digits}:${prefix}`;
    let group = this.groups.get(key);
    if (group === undefined) {
      // A prefix per id (ids that merely end in a digit) would make a group each: past a
      // bound, ids of new prefixes are hashed as text (and always will be: the groups no longer change).
      if (this.groups.size >= MAX_GROUPS) return null;
      group = new NumberSet();
      this.groups.set(key, group);
    }
    this.lastPrefix = prefix;
    this.lastDigits = digits;
    this.lastGroup = group;
    return group;
  }
}

const MAX_GROUPS = 256;
const PAGE_BITS = 4096;
const PAGE_WORDS = PAGE_BITS / 32;
/** Bytes a bitmap may take before it counts as sparse: a base, plus this many per number in it. */
const DENSE_BASE_BYTES = 1 << 16;
const DENSE_BYTES_PER_NUMBER = 16;

/**
 * A set of whole numbers from 0 to 10^15: a bitmap of pages while the pages are well filled,
 * then (for good, once they are not) an open-addressing hash over a Float64Array.
 */
export class NumberSet {
  private pages: Map<number, Uint32Array> | null = new Map();
  private lastPageNo = -1;
  private lastPage: Uint32Array | null = null;
  private count = 0;
  private keys: Float64Array | null = null;
  private mask = 0;
  /** 32 - log2(keys.length): the slot is the top bits of a multiplicative hash. */
  private shift = 32;

  get size(): number {
    return this.count;
  }

  /** Adds `v` (a whole number, 0 <= v < 2^53); false when it was there already. */
  add(v: number): boolean {
    const pages = this.pages;
    if (pages === null) return this.hashAdd(v);
    const pageNo = Math.floor(v / PAGE_BITS);
    let page = pageNo === this.lastPageNo ? this.lastPage : pages.get(pageNo);
    if (page === undefined || page === null) {
      if ((pages.size + 1) * PAGE_WORDS * 4 > DENSE_BASE_BYTES + this.count * DENSE_BYTES_PER_NUMBER) {
        this.toHash();
        return this.hashAdd(v);
      }
      page = new Uint32Array(PAGE_WORDS);
      pages.set(pageNo, page);
    }
    this.lastPageNo = pageNo;
    this.lastPage = page;
    const bit = v - pageNo * PAGE_BITS;
    const word = bit >>> 5;
    const m = 1 << (bit & 31);
    const w = page[word] as number;
    if ((w & m) !== 0) return false;
    page[word] = w | m;
    this.count++;
    return true;
  }

  private toHash(): void {
    const pages = this.pages ?? new Map<number, Uint32Array>();
    this.pages = null;
    this.lastPage = null;
    let size = 1 << 10;
    while (size < this.count * 4) size *= 2;
    this.keys = new Float64Array(size).fill(-1);
    this.mask = size - 1;
    this.shift = 32 - Math.log2(size);
    const n = this.count;
    this.count = 0;
    for (const [pageNo, page] of pages) {
      for (let word = 0; word < PAGE_WORDS; word++) {
        const w = page[word] as number;
        if (w === 0) continue;
        for (let b = 0; b < 32; b++) if ((w & (1 << b)) !== 0) this.hashAdd(pageNo * PAGE_BITS + word * 32 + b);
      }
    }
    if (this.count !== n) throw new Error(`NumberSet: ${n} numbers became ${this.count}`);
  }

  private hashAdd(v: number): boolean {
    const keys = this.keys as Float64Array;
    const lo = v >>> 0;
    const hi = (v / 4294967296) >>> 0;
    let i = Math.imul(lo ^ Math.imul(hi, 0x27d4eb2f), 0x9e3779b1) >>> this.shift;
    for (;;) {
      const k = keys[i] as number;
      if (k === v) return false;
      if (k === -1) break;
      i = (i + 1) & this.mask;
    }
    keys[i] = v;
    this.count++;
    if (this.count * 2 > this.mask) this.grow();
    return true;
  }

  private grow(): void {
    const old = this.keys as Float64Array;
    const size = old.length * 2;
    const keys = new Float64Array(size).fill(-1);
    const mask = size - 1;
    const shift = 32 - Math.log2(size);
    for (let j = 0; j < old.length; j++) {
      const v = old[j] as number;
      if (v === -1) continue;
      const lo = v >>> 0;
      const hi = (v / 4294967296) >>> 0;
      let i = Math.imul(lo ^ Math.imul(hi, 0x27d4eb2f), 0x9e3779b1) >>> shift;
      while (keys[i] !== -1) i = (i + 1) & mask;
      keys[i] = v;
    }
    this.keys = keys;
    this.mask = mask;
    this.shift = shift;
  }
}
