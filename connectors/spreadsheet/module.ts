import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describeZodError } from '../../src/model/snapshot.ts';
import { BadInputError } from '../../src/contract/errors.ts';
import type { SourceConnection } from '../../src/contract/connector.ts';
import type { SourceModule } from '../shared/source-module.ts';
import { SpreadsheetConnector } from './index.ts';
import { spreadsheetOptionsSchema } from './options.ts';
import { defaultOutputPath, outputPathProblems } from './output.ts';

const LABEL = 'Spreadsheet';

/** The input's path, from the connection's location (a file: URL). */
export function spreadsheetPath(connection: Pick<SourceConnection, 'baseUrl'>): string {
  return fileURLToPath(connection.baseUrl);
}

function readMappingFile(file: string): Record<string, unknown> {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new BadInputError([`--mapping ${file}: ${error instanceof Error ? error.message : String(error)}`]);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new BadInputError([`--mapping ${file}: expected a JSON object of spreadsheet options`]);
  const checked = spreadsheetOptionsSchema.safeParse(raw);
  if (!checked.success) throw new BadInputError([`--mapping ${file}: ${describeZodError(checked.error)}`]);
  return raw as Record<string, unknown>;
}

export const spreadsheetSource: SourceModule<'spreadsheet'> = {
  kind: 'spreadsheet',
  label: LABEL,
  idPrefix: 'ss',
  checkOptions(options) {
    const result = spreadsheetOptionsSchema.safeParse(options);
    return result.success ? [] : describeZodError(result.error).split('; ');
  },
  createConnector(connection, _credentials, runtime) {
    return new SpreadsheetConnector(spreadsheetPath(connection), connection.options, { logger: runtime.logger, sleep: runtime.sleep });
  },
  // The whole plan goes into one workbook write; the file is read again in full daily, which
  // nothing needs as long as its content hash tells every change, but costs no API allowance.
  profile: { pushBatchMax: 1_000_000_000, pushCallName: 'workbookWrites', bulkJobName: 'workbookWrites', fullSyncEveryHours: 24 },
  connect: {
    flags: {
      path: { env: 'KAMFLOW_SPREADSHEET_PATH' },
      output: {},
      mapping: {},
    },
    help: `Spreadsheet:
  --path FILE_OR_FOLDER   an .xlsx workbook, or a folder of CSV files       (KAMFLOW_SPREADSHEET_PATH)
  --output FILE           the annotated workbook (default: beside the input, NAME.kamflow.xlsx)
  --mapping FILE          spreadsheet options as JSON: sheets, columns, dateFormat, decimalComma, status...`,
    optionExamples: 'Spreadsheet: dateFormat=dd.mm.yyyy decimalComma=true currency=EUR',
    fromFlags(v) {
      const given = v['path'];
      if (!given) throw new BadInputError(['a spreadsheet needs --path (an .xlsx workbook or a folder of CSV files) or KAMFLOW_SPREADSHEET_PATH']);
      const path = resolve(given);
      let isFolder: boolean;
      try {
        isFolder = statSync(path).isDirectory();
      } catch {
        throw new BadInputError([`--path ${given}: no such file or folder`]);
      }
      if (!isFolder && !/\.xlsx$/i.test(path)) throw new BadInputError([`--path ${given}: expected an .xlsx workbook or a folder of CSV files`]);
      const options: Record<string, unknown> = v['mapping'] ? readMappingFile(v['mapping']) : {};
      const output = v['output'] !== undefined ? resolve(v['output']) : typeof options['output'] === 'string' ? resolve(options['output']) : undefined;
      const problems = outputPathProblems(output ?? defaultOutputPath(path, isFolder), path);
      if (problems.length > 0) throw new BadInputError(problems.map((p) => `--output: ${p}`));
      if (output !== undefined) options['output'] = output;
      return { baseUrl: pathToFileURL(path).href, options, tokens: null, clientSecret: null };
    },
  },
  describe(c) {
    return { location: spreadsheetPath(c), accountId: null };
  },
};
