/**
 * A node in qemu (../shared/e2e §A, §E): qemu-system-x86_64 under TCG by
 * default (/dev/kvm may exist and hang under nested virtualisation;
 * WW_E2E_ACCEL=kvm opts in), network-booted by Debian's iPXE option ROM
 * from a tap device of a `Netns`, or booted directly from a kernel and
 * initrd. The serial console (`-nographic`: SeaBIOS and iPXE text too) is
 * captured and searchable; `timeout` bounds every run (a failed iPXE fetch
 * otherwise waits ~60 s: pitfall 11); `-no-reboot` makes a reboot or a
 * power-off end qemu.
 */
import { writeFileSync } from 'node:fs';
import type { Netns } from './netns.js';
import { Proc, type ProcExit } from './proc.js';

export interface VmOptions {
  netns: Netns;
  /** A tap of the namespace (`netns.addTap()`). */
  tap: string;
  mac: string;
  /** Wall-clock bound for the whole run, seconds. */
  timeoutS: number;
  memMiB?: number;
  /** SMBIOS system UUID (iPXE `${uuid}`, /sys/class/dmi/id/product_uuid). */
  uuid?: string;
  /** SMBIOS chassis asset tag (iPXE `${asset}`, /sys/class/dmi/id/chassis_asset_tag). */
  asset?: string;
  nic?: 'e1000' | 'virtio-net-pci';
  /** Boot this kernel directly instead of network-booting with iPXE. */
  direct?: { kernel: string; initrd?: string; append: string };
  /** The serial log is written here when qemu ends (for post-mortems). */
  serialLog?: string;
  /** Called with serial output as it arrives (e.g. to show it on a terminal). */
  onOutput?: (chunk: string) => void;
  name?: string;
}

export class Vm {
  readonly proc: Proc;
  /** Each serial line with the milliseconds since qemu started when it arrived (for phase timings). */
  readonly timeline: Array<{ ms: number; line: string }> = [];
  private readonly started = Date.now();
  private partial = '';

  constructor(opts: VmOptions) {
    const accel = process.env.WW_E2E_ACCEL ?? 'tcg';
    const args = [
      '-k', '5', String(opts.timeoutS),
      'qemu-system-x86_64',
      '-machine', `pc,accel=${accel}`,
      '-m', String(opts.memMiB ?? 512),
      '-nographic', '-no-reboot',
      '-netdev', `tap,id=n0,ifname=${opts.tap},script=no,downscript=no`,
      '-device', `${opts.nic ?? 'e1000'},netdev=n0,mac=${opts.mac}`,
    ];
    if (opts.uuid) args.push('-uuid', opts.uuid);
    if (opts.asset) args.push('-smbios', `type=3,asset=${opts.asset}`);
    if (opts.direct) {
      args.push('-kernel', opts.direct.kernel, '-append', opts.direct.append);
      if (opts.direct.initrd) args.push('-initrd', opts.direct.initrd);
    } else {
      args.push('-boot', 'n');
    }
    const onOutput = (chunk: string): void => {
      const lines = (this.partial + chunk).split('\n');
      this.partial = lines.pop() ?? '';
      const ms = Date.now() - this.started;
      for (const line of lines) this.timeline.push({ ms, line: line.replace(/\r$/, '') });
      opts.onOutput?.(chunk);
    };
    this.proc = opts.netns.spawn('timeout', args, { name: opts.name ?? `vm ${opts.mac}`, onOutput });
    if (opts.serialLog) {
      const log = opts.serialLog;
      void this.proc.done.then(({ output }) => writeFileSync(log, output));
    }
  }

  /** Seconds from qemu's start to the first serial line matching each pattern ('-' when none did). */
  phases(patterns: Record<string, RegExp>): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [name, re] of Object.entries(patterns)) {
      const hit = this.timeline.find((t) => re.test(t.line));
      out[name] = hit ? (hit.ms / 1000).toFixed(1) : '-';
    }
    return out;
  }

  /** Serial output so far. */
  get serial(): string {
    return this.proc.output;
  }

  /** Wait for a serial-console marker; see `Proc.waitFor`. */
  waitFor(pattern: RegExp, timeoutMs: number, from = 0): Promise<RegExpExecArray> {
    return this.proc.waitFor(pattern, timeoutMs, from);
  }

  /** Resolves when qemu has ended (power-off, reboot, timeout or kill). */
  get done(): Promise<ProcExit> {
    return this.proc.done;
  }

  stop(): Promise<ProcExit> {
    return this.proc.stop(1000);
  }
}
