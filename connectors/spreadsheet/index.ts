import { statSync } from 'node:fs';
import { describeZodError } from '../../src/model/snapshot.ts';
import { CrmError } from '../../src/contract/errors.ts';
import type {
  ApiUsage, Connector, FieldValues, ObjectKind, ProvisionReport, PullOptions, PullPage, PushBatching, RunResults, WriteOutcome, WritePlanForConnector,
} from '../../src/contract/connector.ts';
import type { Logger } from '../../src/log.ts';
import { silentLogger } from '../../src/log.ts';
import type { MappingSettings } from '../../mappings/spreadsheet.ts';
import { writeInBatches } from '../shared/batch-write.ts';
import { realSleep, type Sleep } from '../shared/sleep.ts';
import { DEFAULT_SHEETS } from './columns.ts';
import { contentHash } from './digest.ts';
import { openInput, statOrThrow, type InputSource } from './input.ts';
import { mappingSettings, sheetNames, spreadsheetOptionsSchema, type SpreadsheetOptions, type SpreadsheetOptionsInput } from './options.ts';
import { defaultOutputPath, outputPathProblems, readOutputValues } from './output.ts';
import { provisionWorkbook } from './provision.ts';
import { pullStream } from './pull.ts';
import { NameIndex, referencesFrom, type Indexes } from './references.ts';
import { readSheet } from './sheet.ts';
import { publishWorkbook, writeValues, type WriteContext } from './write.ts';

export { spreadsheetOptionsSchema, type SpreadsheetOptions, type SpreadsheetOptionsInput } from './options.ts';

const ORDER: readonly ObjectKind[] = ['users', 'products', 'accounts', 'contacts', 'opportunities', 'lineItems', 'contactRoles'];

/** The sheets whose content a stream's records depend on: its own, and those its references are resolved against. */
const DEPENDS: Record<ObjectKind, readonly ObjectKind[]> = {
  users: ['users'],
  products: ['products'],
  accounts: ['accounts'],
  contacts: ['contacts', 'accounts'],
  opportunities: ['opportunities', 'accounts'],
  lineItems: ['lineItems', 'products', 'opportunities'],
  contactRoles: ['contactRoles', 'opportunities'],
};

export function parseSpreadsheetOptions(input: unknown): SpreadsheetOptions {
  const parsed = spreadsheetOptionsSchema.safeParse(input);
  if (!parsed.success) throw new CrmError('config', `invalid spreadsheet connector options: ${describeZodError(parsed.error)}`, { code: 'BAD_OPTIONS' });
  return parsed.data;
}

export interface SpreadsheetRuntime {
  logger?: Logger | undefined;
  sleep?: Sleep | undefined;
}

/**
 * A workbook or a folder of CSV files as a source: pulled row by row into the model, and
 * "written back" as an annotated workbook beside it (never into the input itself).
 */
export class SpreadsheetConnector implements Connector {
  readonly kind = 'spreadsheet' as const;
  readonly options: SpreadsheetOptions;
  private readonly settings: MappingSettings;
  private readonly mappingHash: string;
  private readonly log: Logger;
  private readonly sleep: Sleep;
  private readonly counts: ApiUsage = {};
  private source: InputSource | null = null;
  private readonly indexCache = new Map<ObjectKind, { fingerprint: string; index: NameIndex }>();
  private valuesCache: { key: string; values: Map<string, FieldValues> | null } | null = null;

  constructor(readonly path: string, options: SpreadsheetOptionsInput = {}, runtime: SpreadsheetRuntime = {}) {
    this.options = parseSpreadsheetOptions(options);
    this.settings = mappingSettings(this.options);
    const o = this.options;
    this.mappingHash = contentHash([o.sheets, o.columns, o.extraAccountColumns, o.dateFormat, o.decimalComma, o.status, o.costPer, o.csv]);
    this.log = runtime.logger ?? silentLogger;
    this.sleep = runtime.sleep ?? realSleep;
  }

  /** The input, opened on first use: a missing file is a run's error, not the connector's construction's. */
  input(): InputSource {
    this.source ??= openInput(this.path, (k) => sheetNames(this.options, k) ?? DEFAULT_SHEETS[k], this.options.csv);
    return this.source;
  }

  outputPath(): string {
    if (this.options.output !== undefined) return this.options.output;
    return defaultOutputPath(this.path, statOrThrow(this.path, 'the spreadsheet').isDirectory());
  }

  /** The output path, or a config error when it would overwrite the input. */
  checkedOutputPath(): string {
    const output = this.outputPath();
    const problems = outputPathProblems(output, this.path);
    if (problems.length > 0) throw new CrmError('config', problems.join('; '), { code: 'BAD_OUTPUT' });
    return output;
  }

  count(kind: string): void {
    this.counts[kind] = (this.counts[kind] ?? 0) + 1;
  }

  currency(): Promise<string> {
    return Promise.resolve(this.options.currency);
  }

  private async fingerprintOf(kind: ObjectKind): Promise<string> {
    const parts: string[] = [];
    for (const k of DEPENDS[kind]) parts.push(await this.input().fingerprint(k));
    return parts.join('+');
  }

  /** Ids and names of a stream's records, read once per content of its sheet. */
  private async indexOf(kind: 'accounts' | 'products' | 'opportunities'): Promise<NameIndex> {
    const fingerprint = await this.input().fingerprint(kind);
    const cached = this.indexCache.get(kind);
    if (cached?.fingerprint === fingerprint) return cached.index;
    const index = new NameIndex();
    this.count('fileReads');
    const read = await readSheet(kind, this.input(), this.options, this.settings, referencesFrom({}));
    if (read !== null) {
      try {
        for await (const r of read.rows) {
          const rec = r.mapped.record;
          if (rec) index.add(rec.id, 'name' in rec ? rec.name : null);
        }
      } finally {
        await read.sheet.close();
      }
    }
    this.indexCache.set(kind, { fingerprint, index });
    return index;
  }

  private async indexes(kind: ObjectKind): Promise<Indexes> {
    if (kind === 'accounts' || kind === 'contacts' || kind === 'opportunities') return { accounts: await this.indexOf('accounts') };
    if (kind === 'lineItems') return { products: await this.indexOf('products'), opportunities: await this.indexOf('opportunities') };
    if (kind === 'contactRoles') return { opportunities: await this.indexOf('opportunities') };
    return {};
  }

  /** Kamflow's values held now: the annotated workbook's, once there is one. */
  async currentValues(): Promise<Map<string, FieldValues> | null> {
    const output = this.checkedOutputPath();
    let key = 'absent';
    try {
      const st = statSync(output);
      key = `${st.size}:${st.mtimeMs}`;
    } catch {
      // No output yet.
    }
    if (this.valuesCache?.key === key) return this.valuesCache.values;
    if (key !== 'absent') this.count('fileReads');
    const values = await readOutputValues(output);
    this.valuesCache = { key, values };
    return values;
  }

  async *pull(options: PullOptions): AsyncIterable<PullPage> {
    const wanted = options.objects ?? ORDER;
    for (const kind of ORDER.filter((k) => wanted.includes(k))) {
      this.log.info({ object: kind, mode: options.mode }, 'spreadsheet pull');
      yield* pullStream(kind, options.mode, options.cursors[kind], {
        input: this.input(), options: this.options, settings: this.settings, mappingHash: this.mappingHash,
        fingerprint: async () => contentHash(await this.fingerprintOf(kind)),
        indexes: (k) => this.indexes(k), currentValues: () => this.currentValues(), logger: this.log, counted: () => this.count('fileReads'),
      });
    }
  }

  private writeContext(): WriteContext {
    return {
      input: this.input(), options: this.options, settings: this.settings, output: this.checkedOutputPath(), inputPath: this.path,
      indexes: () => this.indexes('accounts'), count: (k) => this.count(k),
    };
  }

  provision(): Promise<ProvisionReport> {
    return provisionWorkbook(this.writeContext.bind(this), () => this.currentValues());
  }

  /** Each push call writes the workbook once: the whole plan in one call. */
  pushBatching(total: number): PushBatching {
    return { size: Math.max(1, total), bulk: false };
  }

  push(plan: WritePlanForConnector): Promise<WriteOutcome[]> {
    const rows = plan.writes.map((w) => ({ id: w.accountId, fields: w.fields }));
    return writeInBatches({
      rows,
      first: {
        batchSize: Math.max(1, rows.length),
        send: async (batch) => {
          const ctx = this.writeContext();
          const outcomes = await writeValues(ctx, batch, await this.currentValues());
          this.valuesCache = null;
          return outcomes;
        },
      },
      // A workbook write either happens or stops the push with a CrmError; nothing is worth sending twice.
      classify: () => 'bad-data',
      retry: { recordRetries: 0, minDelayMs: 0, maxDelayMs: 0 },
      sleep: this.sleep,
      logger: this.log,
    });
  }

  async publish(results: RunResults): Promise<void> {
    await publishWorkbook(this.writeContext(), results);
    this.valuesCache = null;
  }

  usage(): ApiUsage {
    return { ...this.counts };
  }
}
