/**
 * Structured logs, one record per line: JSON by default (for jq, journald,
 * a log shipper), or readable text for a person at a terminal, with the same
 * fields. Workers write to their own stdout, which Node forwards to the
 * process's stdout, so one stream carries every thread; they inherit the
 * format through the environment (QGTM_LOG_FORMAT, set by the entry point
 * from `log.format` before any worker starts).
 */

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

export type LogSink = (line: string) => void;

const stdoutSink: LogSink = (line) => {
  process.stdout.write(line + '\n');
};

export type LogFormat = 'json' | 'text';

/** The format this process writes: QGTM_LOG_FORMAT `text`, else JSON. */
export function logFormat(): LogFormat {
  return process.env.QGTM_LOG_FORMAT === 'text' ? 'text' : 'json';
}

/**
 * `log.format` resolved for this process: `auto` is text when stdout is a
 * terminal and JSON when it is piped or captured. The entry point puts the
 * answer in QGTM_LOG_FORMAT, where loggers and workers read it.
 */
export function resolveLogFormat(setting: 'auto' | LogFormat, stdoutIsTty = process.stdout.isTTY === true): LogFormat {
  return setting === 'auto' ? (stdoutIsTty ? 'text' : 'json') : setting;
}

const replacer = (_k: string, v: unknown): unknown => (typeof v === 'bigint' ? v.toString() : v instanceof Error ? { name: v.name, message: v.message } : v);

/**
 * One record as a line a person reads: time, level, message, then every
 * other field as key=value (strings with spaces or quotes JSON-quoted,
 * objects as JSON), in the record's order.
 */
export function formatText(record: Record<string, unknown>): string {
  const { ts, level, msg, ...rest } = record;
  const parts = [String(ts), String(level).toUpperCase().padEnd(5), String(msg)];
  for (const [k, v] of Object.entries(rest)) {
    if (v === undefined) continue;
    const text = typeof v === 'string' ? (/^[^\s"=]*$/.test(v) && v !== '' ? v : JSON.stringify(v)) : JSON.stringify(v, replacer);
    parts.push(`${k}=${text}`);
  }
  return parts.join(' ');
}

export function isLogLevel(v: unknown): v is LogLevel {
  return typeof v === 'string' && v in RANK;
}

export function createLogger(level: LogLevel = 'info', base: Record<string, unknown> = {}, sink: LogSink = stdoutSink, format: LogFormat = logFormat()): Logger {
  const min = RANK[level];
  const write = (lvl: Exclude<LogLevel, 'silent'>, msg: string, fields?: Record<string, unknown>): void => {
    if (RANK[lvl] < min) return;
    const record: Record<string, unknown> = { ts: new Date().toISOString(), level: lvl, msg, ...base, ...fields };
    let line: string;
    try {
      line = format === 'text' ? formatText(record) : JSON.stringify(record, replacer);
    } catch {
      const bare = { ts: record.ts, level: lvl, msg, ...base, note: 'fields not serialisable' };
      line = format === 'text' ? formatText(bare) : JSON.stringify(bare);
    }
    sink(line);
  };
  return {
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
    child: (fields) => createLogger(level, { ...base, ...fields }, sink, format),
  };
}
