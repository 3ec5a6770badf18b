/** What several `wwctl image` commands share: interruption and `--build` after a change. */
/** Loaded on first use: wwctl's start-up stays lean for every other command. */
const imageMod = () => import('@warewulf/core/image');
import type { Ctx } from '../../context.js';
import { progressSink } from '../../output/progress.js';

/**
 * Run `fn` with a signal that SIGINT/SIGTERM abort, so an interrupted import
 * or build removes what it staged before wwctl exits.
 */
export async function interruptible<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const ac = new AbortController();
  const onSignal = (sig: NodeJS.Signals) => ac.abort(new Error(`${sig} received`));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    return await fn(ac.signal);
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
}

/** Build one image with progress (used by --build flags and `image build`). */
export async function buildWithProgress(c: Ctx, name: string, force: boolean, signal?: AbortSignal): Promise<void> {
  const { paths } = await c.load();
  const progress = progressSink(c);
  try {
    await (await imageMod()).buildImage(paths, name, { force, log: c.log, syncFs: true, onProgress: (e) => progress.pack(e), ...(signal ? { signal } : {}) });
  } finally {
    progress.stop();
  }
}

/** pflag-style bool value (`--write=false`); a bare flag means true. */
export function boolValue(flag: string): (v: string | undefined) => boolean {
  return (v) => {
    if (v === undefined) return true;
    const w = v.trim().toLowerCase();
    if (['1', 't', 'true', 'yes', 'y', 'on'].includes(w)) return true;
    if (['0', 'f', 'false', 'no', 'n', 'off'].includes(w)) return false;
    throw new Error(`invalid argument "${v}" for "--${flag}" flag: not a boolean`);
  };
}
