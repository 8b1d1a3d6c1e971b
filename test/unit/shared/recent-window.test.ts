import { describe, expect, it } from 'vitest';
import { RecentWindow, serverDate } from '../../../connectors/shared/recent-window.ts';

describe('RecentWindow', () => {
  it('knows a record only at the stamp it was read at, and keeps the newest stamp of an id', () => {
    const w = RecentWindow.parse('a@1000,b@2000');
    expect(w.has('a', 1000)).toBe(true);
    expect(w.has('a', 1001)).toBe(false);
    w.add('a', 3000);
    w.add('a', 500);
    expect(w.has('a', 3000)).toBe(true);
    expect(w.has('a', 1000)).toBe(false);
  });

  it('serializes the pairs from a moment on, newest first, at most the cap, and reads them back', () => {
    const w = new RecentWindow();
    w.add('old', 100);
    w.add('x', 300);
    w.add('y', 200);
    w.add('z', 300);
    expect(w.serialize(150, 10)).toBe('x@300,z@300,y@200');
    expect(w.serialize(150, 2)).toBe('x@300,z@300');
    expect(RecentWindow.parse(w.serialize(0, 10)).has('old', 100)).toBe(true);
  });

  it('ignores pairs it cannot read, ids with @ inside included', () => {
    const w = RecentWindow.parse('bad,@5,ok@x,em@il@7');
    expect(w.size).toBe(1);
    expect(w.has('em@il', 7)).toBe(true);
  });

  it("reads an HTTP Date header as the server's clock, or null", () => {
    expect(serverDate('Wed, 02 Dec 2026 01:41:13 GMT')).toBe(Date.parse('2026-12-02T01:41:13Z'));
    expect(serverDate(undefined)).toBeNull();
    expect(serverDate('soon')).toBeNull();
  });
});
