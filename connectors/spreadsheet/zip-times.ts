import { open } from 'node:fs/promises';

/**
 * exceljs's streaming writer (through archiver) stamps every entry of the .xlsx zip with the
 * time it was written, and offers no option to fix it, so two writes of the same workbook
 * differ in those bytes alone. This sets each entry's DOS time and date, in the local header
 * and in the central directory, to 1980-01-01 00:00 (the format's earliest moment), which
 * makes the file a function of its contents. Nothing else in the zip is touched: sizes and
 * CRCs do not depend on the time.
 */

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
/** DOS date 1980-01-01: year 0 (from 1980), month 1, day 1. */
const DOS_DATE = (0 << 9) | (1 << 5) | 1;

export class ZipLayoutError extends Error {
  override readonly name = 'ZipLayoutError';
}

export async function fixZipTimes(path: string): Promise<void> {
  const f = await open(path, 'r+');
  try {
    const { size } = await f.stat();
    const tailLength = Math.min(size, 65_557);
    const tail = Buffer.alloc(tailLength);
    await f.read(tail, 0, tailLength, size - tailLength);
    let eocd = -1;
    for (let i = tailLength - 22; i >= 0; i--) {
      if (tail.readUInt32LE(i) === EOCD) {
        eocd = i;
        break;
      }
    }
    if (eocd < 0) throw new ZipLayoutError(`${path}: no end of central directory`);
    const entries = tail.readUInt16LE(eocd + 10);
    const cdSize = tail.readUInt32LE(eocd + 12);
    const cdOffset = tail.readUInt32LE(eocd + 16);
    if (entries === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) throw new ZipLayoutError(`${path}: a ZIP64 archive (over 4 GB) is left as written`);
    const cd = Buffer.alloc(cdSize);
    await f.read(cd, 0, cdSize, cdOffset);
    const stamp = Buffer.alloc(4);
    stamp.writeUInt16LE(0, 0);
    stamp.writeUInt16LE(DOS_DATE, 2);
    let p = 0;
    for (let k = 0; k < entries; k++) {
      if (cd.readUInt32LE(p) !== CENTRAL) throw new ZipLayoutError(`${path}: central directory entry ${k} is malformed`);
      stamp.copy(cd, p + 12);
      const localOffset = cd.readUInt32LE(p + 42);
      const local = Buffer.alloc(4);
      await f.read(local, 0, 4, localOffset);
      if (local.readUInt32LE(0) !== LOCAL) throw new ZipLayoutError(`${path}: local header of entry ${k} is missing`);
      await f.write(stamp, 0, 4, localOffset + 10);
      p += 46 + cd.readUInt16LE(p + 28) + cd.readUInt16LE(p + 30) + cd.readUInt16LE(p + 32);
    }
    await f.write(cd, 0, cdSize, cdOffset);
  } finally {
    await f.close();
  }
}
