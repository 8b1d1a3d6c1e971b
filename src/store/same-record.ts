import { isDeepStrictEqual } from 'node:util';

/**
 * True when a record pulled again holds exactly what the mirror keeps for it: every mirrored
 * value equal, whatever the order of its keys (the mirror's copy of an account gets Kamflow's
 * written fields merged in after the pull, so its keys may come in another order). Such a
 * record is no change: a look-back re-read, or Kamflow's own write read back with nothing else
 * changed. Any other difference, in any field, makes it a change.
 */
export function sameRecord(stored: unknown, pulled: unknown): boolean {
  // What the mirror would store for the pulled record (undefined values dropped, as JSON does).
  return isDeepStrictEqual(stored, JSON.parse(JSON.stringify(pulled)));
}
