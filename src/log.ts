import { Writable } from 'node:stream';
import winston, { type Logger } from 'winston';
import type { Redactor } from './redact.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFormat = 'json' | 'text';
export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];
export const LOG_FORMATS: readonly LogFormat[] = ['json', 'text'];

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

/** `2026-11-28T08:15:00.123Z info  stored day account=main appid=wx… date=2026-11-27` */
const textFormat = winston.format.printf((info) => {
  const { level, message, timestamp, ...rest } = info;
  const fields = Object.entries(rest)
    .filter(([k]) => typeof k === 'string')
    .map(([k, v]) => `${k}=${typeof v === 'string' && !/\s/.test(v) ? v : JSON.stringify(v)}`)
    .join(' ');
  return `${String(timestamp)} ${level.padEnd(5)} ${String(message)}${fields ? ` ${fields}` : ''}`;
});

/**
 * winston, JSON lines by default (for log pipelines), `text` for people. Lines about an account
 * come from `logger.child({ account, appid })`.
 */
export function createLogger(options: LoggerOptions): Logger {
  return winston.createLogger({
    level: options.level,
    levels: { error: 0, warn: 1, info: 2, debug: 3 },
    format: winston.format.combine(
      redactFormat({ redactor: options.redactor }),
      winston.format.timestamp(),
      options.format === 'json' ? winston.format.json() : textFormat,
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
