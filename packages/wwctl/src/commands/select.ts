/** Turning command-line patterns into existing node/profile names (§0.4). */
import { WwError, selectNames, type Logger } from '@warewulf/core';

/**
 * Expand patterns and keep the names that exist, each once, in order
 * (linear: a Set, not a list scan). Names that do not exist are warned
 * about; when none exists the command fails (WW_ERR_NODE_NOT_FOUND or
 * WW_ERR_PROFILE_NOT_FOUND) instead of reporting "no changes".
 */
export function selectExisting(patterns: readonly string[], existing: Record<string, unknown>, log: Logger | undefined, label: 'node' | 'profile'): string[] {
  const missing: string[] = [];
  const out = selectNames(patterns, (n) => Object.hasOwn(existing, n), { onMissing: (n) => missing.push(n) });
  for (const n of missing) log?.warn(`invalid ${label}: ${n}`);
  if (out.length === 0) {
    throw new WwError(label === 'node' ? 'WW_ERR_NODE_NOT_FOUND' : 'WW_ERR_PROFILE_NOT_FOUND', `no such ${label}: ${missing.join(', ') || patterns.join(', ')}`);
  }
  return out;
}
