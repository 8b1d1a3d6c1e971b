/** Growable typed columns: appended to one value at a time, read back as exact-length views. */

type TypedArray = Int32Array | Uint8Array | Float64Array;
type Ctor<T extends TypedArray> = new (length: number) => T;

export class Column<T extends TypedArray> {
  private data: T;
  length = 0;

  constructor(private readonly ctor: Ctor<T>, capacity = 1024) {
    this.data = new ctor(capacity);
  }

  push(value: number): void {
    if (this.length === this.data.length) {
      const bigger = new this.ctor(this.data.length * 2);
      (bigger as Float64Array).set(this.data as Float64Array);
      this.data = bigger;
    }
    this.data[this.length++] = value;
  }

  /** The values so far; a view, valid until the next push. */
  view(): T {
    return this.data.subarray(0, this.length) as T;
  }

  /** The values at their exact length, freeing the spare capacity. */
  trimmed(): T {
    if (this.data.length !== this.length) this.data = this.data.slice(0, this.length) as T;
    return this.data;
  }
}

