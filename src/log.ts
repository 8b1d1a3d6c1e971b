import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * Paths pino blanks out wherever they appear in a log object, so a token or secret handed to a
 * log call by mistake never reaches the output.
 */
const REDACT = [
  '*.accessToken', '*.access_token', '*.refreshToken', '*.refresh_token', '*.clientSecret',
  '*.client_secret', '*.password', '*.token', '*.authorization', '*.Authorization', '*.secret',
  'accessToken', 'refreshToken', 'clientSecret', 'password', 'token', 'authorization', 'secret',
  'headers.authorization', 'req.headers.authorization', 'req.headers.cookie',
];

export type LogFormat = 'text' | 'json';

export interface LogOptions {
  level?: string;
  /** Where lines go; stderr by default so stdout stays free for reports and --json. */
  destination?: NodeJS.WritableStream;
  /** `text` for people, `json` (pino's lines) for machines; see logFormatOf for the default. */
  format?: LogFormat;
  /** Where KAMFLOW_LOG_LEVEL and KAMFLOW_LOG_FORMAT are read; process.env by default. */
  env?: NodeJS.ProcessEnv;
}

export class LogFormatError extends Error {
  override readonly name = 'LogFormatError';
}

/**
 * The log format: the one asked for (--log-format), else KAMFLOW_LOG_FORMAT, else text on a
 * terminal and JSON when the lines go to a file or a pipe (a log collector).
 */
export function logFormatOf(asked: string | undefined, env: NodeJS.ProcessEnv, destination: NodeJS.WritableStream): LogFormat {
  const chosen = asked ?? (env['KAMFLOW_LOG_FORMAT']?.trim() || undefined);
  if (chosen === undefined) return (destination as { isTTY?: boolean }).isTTY === true ? 'text' : 'json';
  if (chosen !== 'text' && chosen !== 'json') {
    throw new LogFormatError(`${asked !== undefined ? '--log-format' : 'KAMFLOW_LOG_FORMAT'} must be text or json, not "${chosen.slice(0, 40)}"`);
  }
  return chosen;
}

const LEVEL_NAMES: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };

function textValue(v: unknown): string {
  if (typeof v === 'string') return /[\s="]/.test(v) || v === '' ? JSON.stringify(v) : v;
  if (v !== null && typeof v === 'object') {
    const err = v as { message?: unknown; type?: unknown };
    if (typeof err.message === 'string' && typeof err.type === 'string') return JSON.stringify(err.message);
    return JSON.stringify(v);
  }
  return String(v);
}

/** One pino line as a person reads it: `12:00:01 WARN message key=value ...`. */
export function textLine(json: string): string {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json;
  }
  const { level, time, msg, ...rest } = o;
  const when = typeof time === 'number' ? new Date(time).toISOString().slice(11, 19) : '';
  const name = typeof level === 'number' ? (LEVEL_NAMES[level] ?? String(level)) : String(level ?? '');
  const fields = Object.entries(rest).map(([k, v]) => `${k}=${textValue(v)}`).join(' ');
  return `${when} ${name.padEnd(5)} ${typeof msg === 'string' ? msg : ''}${fields ? `  ${fields}` : ''}\n`;
}

/** A stream that turns pino's JSON lines into text lines before they reach `out`. */
function textStream(out: NodeJS.WritableStream): { write(chunk: string): boolean } {
  return {
    write(chunk: string): boolean {
      let text = '';
      for (const line of chunk.split('\n')) if (line !== '') text += textLine(line);
      return out.write(text);
    },
  };
}

export function createLogger(options: LogOptions = {}): Logger {
  const env = options.env ?? process.env;
  const level = options.level ?? env['KAMFLOW_LOG_LEVEL'] ?? 'info';
  const destination = options.destination ?? process.stderr;
  const format = options.format ?? logFormatOf(undefined, env, destination);
  return pino(
    { level, redact: { paths: REDACT, censor: '[redacted]' }, base: undefined },
    format === 'text' ? textStream(destination) : destination,
  );
}

/** A logger that drops everything, for tests and library callers that pass none. */
export const silentLogger: Logger = pino({ level: 'silent' });
