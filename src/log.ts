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

export interface LogOptions {
  level?: string;
  /** Where lines go; stderr by default so stdout stays free for reports and --json. */
  destination?: NodeJS.WritableStream;
}

export function createLogger(options: LogOptions = {}): Logger {
  const level = options.level ?? process.env['KAMFLOW_LOG_LEVEL'] ?? 'info';
  return pino(
    { level, redact: { paths: REDACT, censor: '[redacted]' }, base: undefined },
    options.destination ?? process.stderr,
  );
}

/** A logger that drops everything, for tests and library callers that pass none. */
export const silentLogger: Logger = pino({ level: 'silent' });
