/**
 * wwctl's log printer in upstream's wwlog format (§0.2): at the default level
 * INFO goes to stdout without a prefix; everything else goes to stderr with
 * the level name padded into a 7-wide field (`WARN   : ...`).
 */
import type { Logger } from '@warewulf/core';

export const LEVELS = { DEBUG: 10, VERBOSE: 15, INFO: 20, WARN: 30, ERROR: 40 } as const;

export interface Writer {
  /** Text, or bytes written as they are (`overlay show` of a binary file). */
  write(s: string | Uint8Array): unknown;
}

export function createWwlog(level: number, out: Writer, err: Writer): Logger {
  const emit = (name: keyof typeof LEVELS, msg: string) => {
    const lvl = LEVELS[name];
    if (lvl < level) return;
    const line = msg.endsWith('\n') ? msg : `${msg}\n`;
    if (name === 'INFO' && level === LEVELS.INFO) {
      out.write(line);
      return;
    }
    const prefix = `${name.padEnd(7)}: `;
    (name === 'INFO' ? out : err).write(prefix + line);
  };
  return {
    debug: (m) => emit('DEBUG', m),
    verbose: (m) => emit('VERBOSE', m),
    info: (m) => emit('INFO', m),
    warn: (m) => emit('WARN', m),
    error: (m) => emit('ERROR', m),
  };
}
