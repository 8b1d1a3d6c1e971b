/**
 * The records an incremental pull has already read inside its look-back window, by id and
 * modified stamp. A pull looks back (late commits, eventually consistent search) and would read
 * those again every run; a record that comes back with the stamp it was read at is unchanged
 * and is skipped, while the same id with a newer stamp is read. Kept in the stream's cursor as
 * `id@stamp` pairs (stamp in epoch ms), newest first, at most `cap` of them: past the cap the
 * oldest are forgotten, which costs a re-read, never a missed change.
 */
export class RecentWindow {
  private readonly stamps = new Map<string, number>();

  static parse(text: unknown): RecentWindow {
    const w = new RecentWindow();
    if (typeof text !== 'string' || text === '') return w;
    for (const pair of text.split(',')) {
      const at = pair.lastIndexOf('@');
      if (at <= 0) continue;
      const stamp = Number(pair.slice(at + 1));
      if (Number.isFinite(stamp)) w.add(pair.slice(0, at), stamp);
    }
    return w;
  }

  /** True when the record was read at exactly this stamp. */
  has(id: string, stamp: number): boolean {
    return this.stamps.get(id) === stamp;
  }

  add(id: string, stamp: number): void {
    const known = this.stamps.get(id);
    if (known === undefined || stamp > known) this.stamps.set(id, stamp);
  }

  get size(): number {
    return this.stamps.size;
  }

  /** The pairs stamped at or after `from`, newest first, at most `cap`. */
  serialize(from: number, cap: number): string {
    return [...this.stamps]
      .filter(([, s]) => s >= from)
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, cap)
      .map(([id, s]) => `${id}@${s}`)
      .join(',');
  }
}

/** The server's clock from an HTTP `Date` header (whole seconds), or null when absent or unreadable. */
export function serverDate(header: string | undefined): number | null {
  if (!header) return null;
  const ms = Date.parse(header);
  return Number.isNaN(ms) ? null : ms;
}
