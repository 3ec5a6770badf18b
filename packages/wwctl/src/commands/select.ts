/** Turning command-line patterns into existing node/profile names (§0.4). */
import { expandHostlist, type Logger } from '@warewulf/core';

/** Expand patterns and keep the names that exist; warn about the rest. */
export function selectExisting(patterns: readonly string[], existing: Record<string, unknown>, log: Logger | undefined, label: string): string[] {
  const out: string[] = [];
  for (const name of expandHostlist(patterns)) {
    if (existing[name] === undefined) log?.warn(`invalid ${label}: ${name}`);
    else if (!out.includes(name)) out.push(name);
  }
  return out;
}
