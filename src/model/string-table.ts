/**
 * A set of strings numbered in the order added: open addressing over typed arrays, about
 * twice as fast as a Set or Map at millions of ids (which every snapshot of that size needs
 * for its duplicate checks and references) and without a heap entry per key.
 */
export class StringTable {
  /** The strings, by number. */
  readonly values: string[] = [];
  private slots = new Int32Array(1 << 10).fill(-1);
  private mask = (1 << 10) - 1;
  private hashes = new Int32Array(1 << 9);

  get size(): number {
    return this.values.length;
  }

  private static hash(s: string): number {
    // FNV-1a over the UTF-16 code units.
    let h = 0x811c9dc5;
    for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
    return h;
  }

  private slotOf(s: string, h: number): number {
    let i = h & this.mask;
    for (;;) {
      const k = this.slots[i] as number;
      if (k === -1 || (this.hashes[k] === h && this.values[k] === s)) return i;
      i = (i + 1) & this.mask;
    }
  }

  /** The number of `s`, or -1 when it is not in the table. */
  find(s: string): number {
    return this.slots[this.slotOf(s, StringTable.hash(s))] as number;
  }

  /** The number of `s`, adding it when new (`size` then grows by one). */
  add(s: string): number {
    const h = StringTable.hash(s);
    const i = this.slotOf(s, h);
    const found = this.slots[i] as number;
    if (found !== -1) return found;
    const n = this.values.length;
    this.values.push(s);
    if (n === this.hashes.length) {
      const more = new Int32Array(n * 2);
      more.set(this.hashes);
      this.hashes = more;
    }
    this.hashes[n] = h;
    this.slots[i] = n;
    if ((n + 1) * 2 > this.mask) this.grow();
    return n;
  }

  private grow(): void {
    const size = (this.mask + 1) * 2;
    this.slots = new Int32Array(size).fill(-1);
    this.mask = size - 1;
    for (let k = 0; k < this.values.length; k++) {
      let i = (this.hashes[k] as number) & this.mask;
      while (this.slots[i] !== -1) i = (i + 1) & this.mask;
      this.slots[i] = k;
    }
  }
}

/**
 * A set of strings that keeps their characters in typed arrays instead of the strings
 * themselves: for the duplicate checks of millions of ids (line items, contacts) that nothing
 * else needs, so that the strings die young instead of filling the heap, where the collector
 * would copy and mark every one of them again and again.
 */
export class IdSet {
  private chars = new Uint16Array(1 << 16);
  private used = 0;
  /** Start of each key's characters in `chars`; the key's end is the next one's start. */
  private starts = new Int32Array(1 << 10);
  private hashes = new Int32Array(1 << 10);
  private count = 0;
  private slots = new Int32Array(1 << 11).fill(-1);
  private mask = (1 << 11) - 1;

  get size(): number {
    return this.count;
  }

  private same(k: number, s: string): boolean {
    const from = this.starts[k] as number;
    const to = k + 1 < this.count ? (this.starts[k + 1] as number) : this.used;
    if (to - from !== s.length) return false;
    for (let i = 0; i < s.length; i++) if (this.chars[from + i] !== s.charCodeAt(i)) return false;
    return true;
  }

  /** Adds `s`; false when it was there already. */
  add(s: string): boolean {
    let h = 0x811c9dc5;
    for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
    let i = h & this.mask;
    for (;;) {
      const k = this.slots[i] as number;
      if (k === -1) break;
      if (this.hashes[k] === h && this.same(k, s)) return false;
      i = (i + 1) & this.mask;
    }
    if (this.used + s.length > this.chars.length) {
      const more = new Uint16Array(Math.max(this.chars.length * 2, this.used + s.length));
      more.set(this.chars.subarray(0, this.used));
      this.chars = more;
    }
    for (let c = 0; c < s.length; c++) this.chars[this.used + c] = s.charCodeAt(c);
    if (this.count === this.starts.length) {
      const starts = new Int32Array(this.count * 2);
      starts.set(this.starts);
      this.starts = starts;
      const hashes = new Int32Array(this.count * 2);
      hashes.set(this.hashes);
      this.hashes = hashes;
    }
    this.starts[this.count] = this.used;
    this.hashes[this.count] = h;
    this.used += s.length;
    this.slots[i] = this.count++;
    if (this.count * 2 > this.mask) this.grow();
    return true;
  }

  private grow(): void {
    const size = (this.mask + 1) * 2;
    this.slots = new Int32Array(size).fill(-1);
    this.mask = size - 1;
    for (let k = 0; k < this.count; k++) {
      let i = (this.hashes[k] as number) & this.mask;
      while (this.slots[i] !== -1) i = (i + 1) & this.mask;
      this.slots[i] = k;
    }
  }
}
