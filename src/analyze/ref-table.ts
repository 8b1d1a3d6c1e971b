import { StringTable } from '../model/string-table.ts';
import { hasTrailingNumber, splitTrailingNumber, type TrailingNumber } from '../model/trailing-number.ts';

const MAX_GROUPS = 256;
const PAGE = 4096;

/**
 * Numbers from 0 to 10^15 mapped to a value (-1: none): pages of 4,096 slots while the numbers
 * are dense, a Map once the pages would hold more than 8 empty slots for each number in them.
 */
class NumberMap {
  private pages: Map<number, Int32Array> | null = new Map();
  private lastPageNo = -1;
  private lastPage: Int32Array | undefined;
  private map: Map<number, number> | null = null;
  private count = 0;

  get(v: number): number {
    if (this.pages === null) return (this.map as Map<number, number>).get(v) ?? -1;
    const pageNo = Math.floor(v / PAGE);
    const page = pageNo === this.lastPageNo ? this.lastPage : this.pages.get(pageNo);
    if (page === undefined) return -1;
    this.lastPageNo = pageNo;
    this.lastPage = page;
    return page[v - pageNo * PAGE] as number;
  }

  /** Sets a number that has no value yet. */
  set(v: number, value: number): void {
    this.count++;
    if (this.pages === null) {
      (this.map as Map<number, number>).set(v, value);
      return;
    }
    const pageNo = Math.floor(v / PAGE);
    let page = pageNo === this.lastPageNo ? this.lastPage : this.pages.get(pageNo);
    if (page === undefined) {
      if ((this.pages.size + 1) * PAGE > 16384 + this.count * 8) {
        this.toMap();
        (this.map as Map<number, number>).set(v, value);
        return;
      }
      page = new Int32Array(PAGE).fill(-1);
      this.pages.set(pageNo, page);
    }
    this.lastPageNo = pageNo;
    this.lastPage = page;
    page[v - pageNo * PAGE] = value;
  }

  private toMap(): void {
    const map = new Map<number, number>();
    for (const [pageNo, page] of this.pages ?? []) {
      for (let k = 0; k < PAGE; k++) if ((page[k] as number) !== -1) map.set(pageNo * PAGE + k, page[k] as number);
    }
    this.pages = null;
    this.lastPage = undefined;
    this.map = map;
  }
}

/**
 * A StringTable (strings numbered in the order added) for the ids records point at, which are
 * mostly a prefix and a running number (`ACC-0401474`, `PRD-0029`): such an id is looked up as
 * that number under its prefix and digit count (splitTrailingNumber), which give back exactly the id, without hashing
 * its characters; any other id goes through a StringTable. The numbering is the same as a
 * StringTable's whatever path an id takes.
 */
export class RefTable {
  readonly values: string[] = [];
  private readonly text = new StringTable();
  /** The number in `values` of the text table's k-th string. */
  private readonly textRef: number[] = [];
  private readonly groups = new Map<string, NumberMap>();
  private lastPrefix = '';
  private lastDigits = -1;
  private lastGroup: NumberMap | null = null;
  private readonly split: TrailingNumber = { digits: 0, value: 0 };

  get size(): number {
    return this.values.length;
  }

  /** The number of `s`, or -1 when it is not in the table. */
  find(s: string): number {
    return this.lookup(s, false);
  }

  /** The number of `s`, adding it when new. */
  add(s: string): number {
    return this.lookup(s, true);
  }

  private lookup(s: string, add: boolean): number {
    const t = splitTrailingNumber(s, this.split);
    const group = hasTrailingNumber(t) ? this.group(s, s.length - t.digits, t.digits, add) : null;
    if (group === null) {
      if (!add) {
        const k = this.text.find(s);
        return k === -1 ? -1 : (this.textRef[k] as number);
      }
      const before = this.text.size;
      const k = this.text.add(s);
      if (k === before) {
        this.textRef.push(this.values.length);
        this.values.push(s);
      }
      return this.textRef[k] as number;
    }
    const value = t.value;
    const found = group.get(value);
    if (found !== -1 || !add) return found;
    const ref = this.values.length;
    this.values.push(s);
    group.set(value, ref);
    return ref;
  }

  /**
   * The numbers of ids with this prefix (`s[0 .. p)`) and digit count. Null sends the id to the
   * text table: past MAX_GROUPS prefixes (those stay there for good), and, for a lookup that
   * does not add, a prefix never seen, whose ids are then in neither.
   */
  private group(s: string, p: number, digits: number, add: boolean): NumberMap | null {
    if (digits === this.lastDigits && p === this.lastPrefix.length && this.lastGroup !== null) {
      const last = this.lastPrefix;
      let same = true;
      for (let i = 0; i < p && same; i++) same = s.charCodeAt(i) === last.charCodeAt(i);
      if (same) return this.lastGroup;
    }
    const prefix = s.slice(0, p);
    const key = `${digits}:${prefix}`;
    let group = this.groups.get(key);
    if (group === undefined) {
      if (!add || this.groups.size >= MAX_GROUPS) return null;
      group = new NumberMap();
      this.groups.set(key, group);
    }
    this.lastPrefix = prefix;
    this.lastDigits = digits;
    this.lastGroup = group;
    return group;
  }
}
