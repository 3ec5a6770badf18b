/**
 * The logger core code talks to: a pino-compatible subset, so warewulfd can
 * pass its pino instance and wwctl a wwlog-style printer. Core never prints.
 */
export interface Logger {
  debug(msg: string): void;
  verbose(msg: string): void;
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

export const noopLogger: Logger = {
  debug() {},
  verbose() {},
  info() {},
  warn() {},
  error() {},
};

/** A logger that records what it was told; for tests and for summaries. */
export function memoryLogger(): Logger & { lines: { level: string; msg: string }[] } {
  const lines: { level: string; msg: string }[] = [];
  const at = (level: string) => (msg: string) => void lines.push({ level, msg });
  return { lines, debug: at('debug'), verbose: at('verbose'), info: at('info'), warn: at('warn'), error: at('error') };
}
