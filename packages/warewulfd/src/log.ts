/**
 * The daemon's logger: pino, JSON lines for journald and log shippers, and
 * readable lines (pino-pretty) when stdout is a terminal. The level follows
 * upstream's `WAREWULFD_LOGLEVEL` numbers (§4.8: 10 debug ... 40 error).
 */
import { pino, type Logger } from 'pino';
import type { Logger as CoreLogger } from '@warewulf/core';

/** wwlog's numeric levels → pino's names. */
export function levelName(n: number): 'debug' | 'info' | 'warn' | 'error' {
  if (n <= 15) return 'debug';
  if (n <= 20) return 'info';
  if (n <= 30) return 'warn';
  return 'error';
}

export interface LoggerOptions {
  level?: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  /** Readable output (default: when stdout is a TTY). */
  pretty?: boolean;
  /** Where JSON lines go (default stdout); ignored when pretty. */
  destination?: NodeJS.WritableStream;
}

/** A pino logger: pretty on a TTY, else JSON lines to stdout (or `destination`) in 4 KiB batches flushed every second. */
export function createLogger(o: LoggerOptions = {}): Logger {
  const level = o.level ?? 'info';
  const pretty = o.pretty ?? process.stdout.isTTY === true;
  if (pretty) {
    return pino({ level, base: undefined, transport: { target: 'pino-pretty', options: { translateTime: 'SYS:standard', ignore: 'pid,hostname' } } });
  }
  // lines are gathered into 4 KiB writes: at thousands of requests a second one
  // write(2) per line would cost more than the request (flushed on exit)
  if (o.destination) return pino({ level, base: { pid: process.pid } }, o.destination as pino.DestinationStream);
  const dest = pino.destination({ dest: 1, sync: false, minLength: 4096 });
  const log = pino({ level, base: { pid: process.pid } }, dest);
  // and at least once a second, so a quiet daemon's lines are not held back
  setInterval(() => dest.flush(), 1000).unref();
  return log;
}

/** The core Logger interface on top of pino (core has no `verbose` in pino: it is debug). */
export function coreLogger(log: Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>): CoreLogger {
  return {
    debug: (m) => log.debug(m),
    verbose: (m) => log.debug(m),
    info: (m) => log.info(m),
    warn: (m) => log.warn(m),
    error: (m) => log.error(m),
  };
}
