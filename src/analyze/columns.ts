/** Growable typed columns: appended to one value at a time, read back as exact-length views. */

type TypedArray = Int32Array | Uint8Array | Float64Array;
type Ctor<T extends TypedArray> = new (length: number) => T;

export interface Column<T extends TypedArray> {
  readonly length: number;
  push(value: number): void;
  /** Value `i` (below `length`), without making a view. */
  at(i: number): number;
  set(i: number, value: number): void;
  /** The values so far; a view, valid until the next push. */
  view(): T;
  /** The values at their exact length (the last call: push no more after it). */
  trimmed(): T;
}

/**
 * The growing and the views; each kind of array has its own class below with its own push, at
 * and set, so that the engine sees one kind of array at each access (one shared class met all
 * three, and its push was a tenth of reading a large snapshot; classes made by one factory
 * would share that code's type feedback just the same).
 */
abstract class TypedColumn<T extends TypedArray> implements Column<T> {
  protected data: T;
  length = 0;

  protected constructor(protected readonly ctor: Ctor<T>, capacity: number) {
    this.data = new ctor(capacity);
  }

  abstract push(value: number): void;
  abstract at(i: number): number;
  abstract set(i: number, value: number): void;

  protected grow(): void {
    const bigger = new this.ctor(this.data.length * 2);
    (bigger as Float64Array).set(this.data as Float64Array);
    this.data = bigger;
  }

  view(): T {
    return this.data.subarray(0, this.length) as T;
  }

  trimmed(): T {
    // A view, not a copy: the spare capacity was never written, so the system has not given it
    // pages, and copying (10 million line items: 200 MB) cost more than it saved.
    return this.data.length === this.length ? this.data : (this.data.subarray(0, this.length) as T);
  }
}

export class Int32Column extends TypedColumn<Int32Array> {
  constructor(capacity = 1024) {
    super(Int32Array, capacity);
  }

  push(value: number): void {
    if (this.length === this.data.length) this.grow();
    this.data[this.length++] = value;
  }

  at(i: number): number {
    return this.data[i] as number;
  }

  set(i: number, value: number): void {
    this.data[i] = value;
  }
}

export class Uint8Column extends TypedColumn<Uint8Array> {
  constructor(capacity = 1024) {
    super(Uint8Array, capacity);
  }

  push(value: number): void {
    if (this.length === this.data.length) this.grow();
    this.data[this.length++] = value;
  }

  at(i: number): number {
    return this.data[i] as number;
  }

  set(i: number, value: number): void {
    this.data[i] = value;
  }
}

export class Float64Column extends TypedColumn<Float64Array> {
  constructor(capacity = 1024) {
    super(Float64Array, capacity);
  }

  push(value: number): void {
    if (this.length === this.data.length) this.grow();
    this.data[this.length++] = value;
  }

  at(i: number): number {
    return this.data[i] as number;
  }

  set(i: number, value: number): void {
    this.data[i] = value;
  }
}

/**
 * Strings kept as their UTF-16 code units in one growing array instead of as strings: for
 * millions of ids that are rarely read back, so that they need no heap object each (which the
 * collector would copy and mark again and again).
 */
export class TextColumn {
  private chars = new Uint16Array(1 << 16);
  private used = 0;
  private readonly starts = new Int32Column();

  get length(): number {
    return this.starts.length;
  }

  push(s: string): void {
    if (this.used + s.length > this.chars.length) {
      const more = new Uint16Array(Math.max(this.chars.length * 2, this.used + s.length));
      more.set(this.chars.subarray(0, this.used));
      this.chars = more;
    }
    const chars = this.chars;
    let p = this.used;
    for (let i = 0; i < s.length; i++) chars[p++] = s.charCodeAt(i);
    this.starts.push(this.used);
    this.used = p;
  }

  /** Every string, in order. */
  toArray(): string[] {
    const out = new Array<string>(this.length);
    for (let k = 0; k < out.length; k++) {
      const from = this.starts.at(k);
      const to = k + 1 < out.length ? this.starts.at(k + 1) : this.used;
      // By code unit (a decoder would replace a lone surrogate), in slices that fit a call's arguments.
      let s = '';
      for (let at = from; at < to; at += 4096) s += String.fromCharCode(...this.chars.subarray(at, Math.min(to, at + 4096)));
      out[k] = s;
    }
    return out;
  }
}
