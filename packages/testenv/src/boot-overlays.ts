/**
 * Rendering the node-side overlays (wwinit, wwclient, test fixtures) for
 * boot tests before the overlay builder and the full template data exist:
 * a hand-built data object with exactly the §5.3 names these templates use
 * (classes, so a misspelt or missing field fails as in Go), and stand-ins
 * for the Warewulf functions they call (`Include` from a sysconfdir,
 * `abort`), rendered and packed by core's overlay code. The lead swaps this
 * for the real builder once it lands; the templates do not change.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { packOverlay, renderOverlay, type RenderedEntry } from '@warewulf/core/overlay';

export type { RenderedEntry };
import { refFuncs, type FuncMap } from '@warewulf/gotemplate';
import type { PackResult } from '@warewulf/cpio';
import { REPO } from './paths.js';

export class BootNetDev {
  constructor(
    readonly Device: string,
    readonly Hwaddr: string,
    readonly Ipaddr: string,
    readonly Netmask: string,
    readonly Gateway = '',
    readonly MTU = '',
    /** A WWbool prints its string: `true`, `false` or empty (= default true). */
    readonly OnBoot = '',
    readonly Type = 'ethernet',
    readonly Tags: Record<string, string> = {},
  ) {}

  get IpCIDR(): string {
    if (!this.Ipaddr || !this.Netmask) return '';
    const bits = this.Netmask.split('.').reduce((n, o) => n + (Number(o) >>> 0).toString(2).replace(/0/g, '').length, 0);
    return `${this.Ipaddr}/${bits}`;
  }
}

export class BootIpmi {
  constructor(
    readonly Ipaddr = '',
    readonly Netmask = '',
    readonly Gateway = '',
    readonly UserName = '',
    readonly Password = '',
    readonly Write = '',
    readonly Tags: Record<string, string> = {},
    readonly Port = '',
    readonly Interface = '',
    readonly EscapeChar = '',
    readonly Template = '',
  ) {}
}

export class BootWarewulf {
  constructor(
    readonly Port: number,
    readonly TLSPort: number,
    readonly UpdateInterval: number,
    private readonly secure: boolean,
    private readonly tls: boolean,
  ) {}

  Secure(): boolean {
    return this.secure;
  }

  TLSEnabled(): boolean {
    return this.tls;
  }
}

export class BootKernel {
  constructor(
    readonly Version: string,
    readonly Args: string,
  ) {}
}

/** The node + server view the wwinit and wwclient templates read. */
export class BootTemplateData {
  constructor(
    readonly Id: string,
    readonly ImageName: string,
    readonly Root: string,
    readonly Init: string,
    readonly NetDevs: Record<string, BootNetDev>,
    readonly PrimaryNetDev: string,
    /** The server's address (warewulf.conf ipaddr). */
    readonly Ipaddr: string,
    readonly Warewulf: BootWarewulf,
    readonly Ipmi = new BootIpmi(),
    readonly Kernel = new BootKernel('', ''),
    readonly Tags: Record<string, string> = {},
  ) {}

  get Hostname(): string {
    return this.Id;
  }
}

const ABORT = '\u0000ww-abort\u0000';

/** Stand-ins for Warewulf's `Include` (relative to `<sysconfdir>/warewulf`, trailing newline dropped, missing = "") and `abort`. */
export function standInFuncs(sysconfdir: string): FuncMap {
  return {
    ...refFuncs(),
    Include: (path: unknown) => {
      const p = String(path);
      try {
        return readFileSync(p.startsWith('/') ? p : join(sysconfdir, 'warewulf', p), 'utf8').replace(/\n$/, '');
      } catch {
        return '';
      }
    },
    // rendering goes on to the end, and the file is dropped afterwards (enough for these templates)
    abort: () => ABORT,
  };
}

/** The repository's overlay directory of that name (`overlays/<name>`). */
export function repoOverlay(name: string): string {
  return resolve(REPO, 'overlays', name);
}

/**
 * Render overlays (directories) in order for one node, later ones overwriting earlier files,
 * as one system or runtime image is built (§5.2). Aborted templates produce no file.
 */
export async function renderBootOverlays(dirs: readonly string[], data: BootTemplateData, sysconfdir: string): Promise<RenderedEntry[]> {
  const funcs = standInFuncs(sysconfdir);
  const byPath = new Map<string, RenderedEntry>();
  for (const dir of dirs) {
    for (const e of await renderOverlay(dir, data, { funcs })) {
      if (e.data?.includes(ABORT)) continue;
      byPath.set(e.path, e);
    }
  }
  return [...byPath.values()];
}

/** Render and pack as a gzip newc cpio (an iPXE initrd). */
export async function packBootOverlays(dirs: readonly string[], data: BootTemplateData, sysconfdir: string, out: string): Promise<PackResult> {
  return packOverlay(await renderBootOverlays(dirs, data, sysconfdir), out);
}
