import { Writable } from 'node:stream';
import winston, { type Logger } from 'winston';
import type { Redactor } from './redact.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
/** `--log.format`: as promslog has them; `text` (the first release's name) is an alias of logfmt. */
export type LogFormat = 'logfmt' | 'json' | 'text';
export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];
export const LOG_FORMATS: readonly LogFormat[] = ['logfmt', 'json', 'text'];

export interface LoggerOptions {
  readonly level: LogLevel;
  readonly format: LogFormat;
  readonly redactor: Redactor;
  /** Where lines go. @default process.stderr */
  readonly stream?: Writable;
}

/** Masks secrets in the message and in every string field, as the last line of defence. */
const redactFormat = winston.format((info, opts?: unknown) => {
  const { redactor } = opts as { redactor: Redactor };
  for (const key of Object.keys(info)) {
    const value = info[key];
    if (typeof value === 'string') info[key] = redactor.redact(value);
  }
  const message = info.message;
  if (typeof message === 'string') info.message = redactor.redact(message);
  return info;
});

/** A logfmt value as Go's slog TextHandler writes it: bare, or quoted when it must be. */
function logfmtValue(v: unknown): string {
  const text = typeof v === 'string' ? v : v === undefined ? '<nil>' : (JSON.stringify(v) ?? '<nil>');
  // Quoted when empty, or with a space, '=', '"', '\\' or a control character (as Go's needsQuoting).
  return text === '' || [...text].some((c) => c <= ' ' || c === '=' || c === '"' || c === '\\' || c === '\x7f')
    ? JSON.stringify(text)
    : text;
}

/**
 * logfmt as promslog (Prometheus' own logger) writes it:
 * `time=2026-11-28T08:15:00.123Z level=INFO msg="stored days" account=main appid=wx…`.
 */
const logfmtFormat = winston.format.printf((info) => {
  const { level, message, timestamp, ...rest } = info;
  const fields = [`time=${String(timestamp)}`, `level=${level.toUpperCase()}`, `msg=${logfmtValue(message)}`];
  for (const [k, v] of Object.entries(rest)) fields.push(`${k}=${logfmtValue(v)}`);
  return fields.join(' ');
});

/**
 * winston, JSON lines by default (for log pipelines), logfmt for people and for Loki. Lines about
 * an account come from `logger.child({ account, appid })`.
 */
export function createLogger(options: LoggerOptions): Logger {
  return winston.createLogger({
    level: options.level,
    levels: { error: 0, warn: 1, info: 2, debug: 3 },
    format: winston.format.combine(
      redactFormat({ redactor: options.redactor }),
      winston.format.timestamp(),
      options.format === 'json' ? winston.format.json() : logfmtFormat,
    ),
    transports: [new winston.transports.Stream({ stream: options.stream ?? process.stderr })],
  });
}

/** A logger that keeps its lines in memory, for tests that grep them. */
export function memoryLogger(redactor: Redactor, level: LogLevel = 'debug'): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(chunk.toString('utf8').trimEnd());
      cb();
    },
  });
  return { logger: createLogger({ level, format: 'json', redactor, stream }), lines };
}
