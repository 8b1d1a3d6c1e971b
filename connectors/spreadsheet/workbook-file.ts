import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import ExcelJS from 'exceljs';
import { fsError } from './input.ts';
import { fixZipTimes } from './zip-times.ts';

/**
 * Writes a workbook the way Kamflow's outputs are written: streamed (rows are committed as
 * they are made, so a workbook of 100,000 accounts never sits in memory), with fixed document
 * dates and zip entry times (the same contents give the same bytes), into a temporary file
 * beside the target that then replaces it in one rename (a reader never sees half a file).
 */

/** The creation and modification date the document properties carry: fixed, not the clock. */
export const DOCUMENT_DATE = new Date(Date.UTC(2000, 0, 1));

export type StreamWorkbook = ExcelJS.stream.xlsx.WorkbookWriter;

export async function writeWorkbookFile(path: string, build: (wb: StreamWorkbook) => Promise<void>): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  const stream = createWriteStream(tmp);
  const failed = new Promise<never>((_resolve, reject) => {
    stream.once('error', reject);
  });
  failed.catch(() => undefined);
  try {
    // The writer reads these document properties too; its type declarations leave them out.
    const options: Partial<ExcelJS.stream.xlsx.WorkbookStreamWriterOptions> & Record<'created' | 'modified', Date> & Record<'creator' | 'lastModifiedBy', string> = {
      stream, useStyles: true, useSharedStrings: false, created: DOCUMENT_DATE, modified: DOCUMENT_DATE, creator: 'Kamflow', lastModifiedBy: 'Kamflow',
    };
    const wb = new ExcelJS.stream.xlsx.WorkbookWriter(options);
    await Promise.race([(async () => {
      await build(wb);
      await wb.commit();
    })(), failed]);
    await fixZipTimes(tmp);
    await rename(tmp, path);
  } catch (error) {
    stream.destroy();
    await rm(tmp, { force: true });
    if (error instanceof Error && 'code' in error) throw fsError(error, `cannot write ${path}`);
    throw error;
  }
}
