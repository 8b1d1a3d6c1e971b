import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, LogFormatError, logFormatOf, textLine } from '../../../src/log.ts';

function sink(tty: boolean): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  if (tty) Object.assign(stream, { isTTY: true });
  let text = '';
  stream.on('data', (d: Buffer) => { text += d.toString('utf8'); });
  return { stream, text: () => text };
}

describe('log format', () => {
  it('is text on a terminal, JSON in a pipe, and what --log-format or KAMFLOW_LOG_FORMAT asks for', () => {
    expect(logFormatOf(undefined, {}, sink(true).stream)).toBe('text');
    expect(logFormatOf(undefined, {}, sink(false).stream)).toBe('json');
    expect(logFormatOf(undefined, { KAMFLOW_LOG_FORMAT: 'json' }, sink(true).stream)).toBe('json');
    expect(logFormatOf('text', { KAMFLOW_LOG_FORMAT: 'json' }, sink(false).stream)).toBe('text');
    expect(() => logFormatOf(undefined, { KAMFLOW_LOG_FORMAT: 'pretty' }, sink(false).stream)).toThrow(LogFormatError);
  });

  it('writes words, not numeric levels, in text, with secrets still redacted', async () => {
    const out = sink(true);
    const logger = createLogger({ destination: out.stream, env: {} });
    logger.warn({ connectionId: 'sf-1', token: 'abc-secret', note: 'two words' }, 'run held');
    await new Promise((r) => setImmediate(r));
    expect(out.text()).toMatch(/^\d\d:\d\d:\d\d WARN  run held {2}connectionId=sf-1 token=\[redacted\] note="two words"\n$/);
    expect(out.text()).not.toContain('"level"');
  });

  it('keeps pino JSON lines in a pipe', async () => {
    const out = sink(false);
    createLogger({ destination: out.stream, env: {} }).info({ a: 1 }, 'hello');
    await new Promise((r) => setImmediate(r));
    expect(JSON.parse(out.text())).toMatchObject({ level: 30, msg: 'hello', a: 1 });
    expect(textLine('not json')).toBe('not json');
  });
});
