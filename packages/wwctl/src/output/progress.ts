/**
 * Progress of image imports and builds: a bar on a terminal (cli-progress,
 * on stderr so stdout stays parseable), plain lines otherwise (one per
 * finished layer, through the log at INFO, like upstream's copy progress on
 * stdout).
 */
import cliProgress from 'cli-progress';
import type { PackProgressEvent, PullProgressEvent } from '@warewulf/core/image';
import type { Ctx } from '../context.js';
import { humanSize } from './size.js';

export interface ProgressSink {
  pull(e: PullProgressEvent): void;
  pack(e: PackProgressEvent): void;
  stop(): void;
}

function isTty(w: unknown): boolean {
  return (w as { isTTY?: boolean }).isTTY === true;
}

const short = (d: string): string => d.replace(/^sha256:/, '').slice(0, 12);

export function progressSink(c: Ctx): ProgressSink {
  if (isTty(c.err)) return barSink(c);
  let archiveBytes = 0;
  return {
    pull(e) {
      if (!e.done) {
        if (e.kind === 'download' && e.layers === 0) archiveBytes = e.bytes;
        return;
      }
      if (e.kind === 'download') {
        const what = e.layer === 0 ? 'config' : `layer ${e.layer}/${e.layers}`;
        c.log.info(e.cached ? `Using cached ${what} ${short(e.digest)}` : `Copied ${what} ${short(e.digest)} (${humanSize(e.bytes)})`);
      } else {
        c.log.info(`Unpacked layer ${e.layer}/${e.layers} ${short(e.digest)} (${e.entries} entries)`);
      }
    },
    pack() {},
    stop() {
      if (archiveBytes > 0) c.log.verbose(`read ${humanSize(archiveBytes)} of archive`);
    },
  };
}

function barSink(c: Ctx): ProgressSink {
  const bar = new cliProgress.SingleBar(
    {
      stream: c.err as unknown as NodeJS.WritableStream,
      format: '{what} [{bar}] {done}/{size}',
      hideCursor: true,
      clearOnComplete: true,
      barsize: 30,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  const show = (what: string, value: number, total: number) => {
    const payload = { what: what.padEnd(24), done: humanSize(value), size: humanSize(total) };
    if (!started) {
      bar.start(Math.max(total, 1), value, payload);
      started = true;
    } else {
      bar.setTotal(Math.max(total, 1));
      bar.update(value, payload);
    }
  };
  return {
    pull(e) {
      if (e.kind === 'download') {
        if (e.layers === 0) show('reading archive', e.bytes, Math.max(e.bytes, 1));
        else show(e.layer === 0 ? 'config' : `download ${e.layer}/${e.layers}${e.cached ? ' (cached)' : ''}`, e.bytes, e.total ?? e.bytes);
      } else {
        show(`unpack ${e.layer}/${e.layers}`, e.bytes, e.total);
      }
    },
    pack(e) {
      show('pack', e.bytes, e.totalBytes);
    },
    stop() {
      if (started) bar.stop();
      started = false;
    },
  };
}
