/**
 * `configure tftp` (§1.9): the boot binaries in `<tftproot>/warewulf`, where
 * the host overlay's DHCP configurations point each client architecture
 * (`filename "/warewulf/<basename>"`). iPXE binaries are the `tftp.ipxe`
 * map's, relative names looked up in `paths.ipxesource` and then in
 * Debian's `ipxe` package, whose names differ from upstream's (DEBIAN_IPXE).
 * With `warewulf.grubboot`, the host's shim and GRUB instead.
 */
import { readFile } from 'node:fs/promises';
import { posix } from 'node:path';
import { WwError, isErrnoCode } from '../errors.js';
import type { Desired } from './files.js';
import type { ConfigureContext } from './types.js';

/** Debian's `ipxe` package (`/usr/lib/ipxe`). */
export const DEBIAN_IPXE_DIR = '/usr/lib/ipxe';

/**
 * Upstream's (EL) names -> the same build in Debian's package: the x86_64
 * EFI builds are `snponly.efi` / `ipxe.efi` there. Other names are looked
 * for as they are; no arm64 build is packaged for amd64 Debian.
 */
export const DEBIAN_IPXE: Readonly<Record<string, string>> = Object.freeze({
  'undionly.kpxe': 'undionly.kpxe',
  'ipxe-snponly-x86_64.efi': 'snponly.efi',
  'ipxe-x86_64.efi': 'ipxe.efi',
  'x86_64-efi/snponly.efi': 'snponly.efi',
  'x86_64-efi/ipxe.efi': 'ipxe.efi',
});

/** Where shim and GRUB are on EL, SUSE and Debian (the signed builds). */
const SHIM_CANDIDATES = ['/usr/share/efi/x86_64/shim.efi', '/usr/lib/shim/shimx64.efi.signed', '/usr/lib/shim/shimx64.efi', '/boot/efi/EFI/rocky/shimx64.efi', '/boot/efi/EFI/redhat/shimx64.efi', '/boot/efi/EFI/centos/shimx64.efi'];
const GRUB_CANDIDATES = ['/usr/share/efi/x86_64/grub.efi', '/usr/lib/grub/x86_64-efi-signed/grubnetx64.efi.signed', '/boot/efi/EFI/rocky/grubx64.efi', '/boot/efi/EFI/redhat/grubx64.efi', '/boot/efi/EFI/centos/grubx64.efi'];

async function firstReadable(candidates: readonly string[]): Promise<{ path: string; content: Buffer } | undefined> {
  for (const path of candidates) {
    try {
      return { path, content: await readFile(path) };
    } catch (err) {
      if (!isErrnoCode(err, 'ENOENT') && !isErrnoCode(err, 'ENOTDIR')) throw err;
    }
  }
  return undefined;
}

/** Where an iPXE binary of the map is looked for, in order. */
export function ipxeCandidates(ipxesource: string, name: string): string[] {
  if (name.startsWith('/')) return [name];
  return [posix.join(ipxesource, name), posix.join(DEBIAN_IPXE_DIR, DEBIAN_IPXE[name] ?? name)];
}

export interface TftpWork {
  desired: Desired[];
  warnings: string[];
}

/**
 * The files of `<tftproot>/warewulf`. A binary found nowhere is a warning
 * (nodes of that architecture cannot PXE boot), not an error.
 *
 * @throws WwError WW_ERR_CONFIG_INVALID when two `tftp.ipxe` entries name
 *   different binaries with the same file name (DHCP names only the base name)
 */
export async function planTftpFiles(ctx: ConfigureContext): Promise<TftpWork> {
  const dir = posix.join(ctx.paths.tftproot, 'warewulf');
  const desired: Desired[] = [{ kind: 'directory', path: dir, mode: 0o755 }];
  const warnings: string[] = [];
  if (ctx.conf.warewulf.grubboot) {
    const shim = await firstReadable(SHIM_CANDIDATES);
    const grub = await firstReadable(GRUB_CANDIDATES);
    if (shim) desired.push({ kind: 'file', path: posix.join(dir, 'shim.efi'), content: shim.content, mode: 0o755, backup: false, source: shim.path });
    else warnings.push(`no shim found (looked at ${SHIM_CANDIDATES.join(', ')}): UEFI nodes cannot boot GRUB over the network`);
    for (const name of ['grub.efi', 'grubx64.efi']) {
      if (grub) desired.push({ kind: 'file', path: posix.join(dir, name), content: grub.content, mode: 0o755, backup: false, source: grub.path });
    }
    if (!grub) warnings.push(`no network GRUB found (looked at ${GRUB_CANDIDATES.join(', ')})`);
    return { desired, warnings };
  }
  // one copy per distinct binary, named by its base name as the DHCP configuration names it
  const byBase = new Map<string, { name: string; archs: string[] }>();
  for (const [arch, name] of Object.entries(ctx.conf.tftp.ipxe).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const base = posix.basename(name);
    const seen = byBase.get(base);
    if (seen && seen.name !== name) {
      throw new WwError('WW_ERR_CONFIG_INVALID', `warewulf.conf: tftp.ipxe ${seen.archs[0]} (${seen.name}) and ${arch} (${name}) would both be /warewulf/${base} in the TFTP root`);
    }
    if (seen) seen.archs.push(arch);
    else byBase.set(base, { name, archs: [arch] });
  }
  for (const [base, { name, archs }] of byBase) {
    const candidates = ipxeCandidates(ctx.paths.ipxesource, name);
    const found = await firstReadable(candidates);
    if (found === undefined) {
      warnings.push(`iPXE binary ${name} not found (looked at ${candidates.join(', ')}): nodes of client architecture ${archs.join(', ')} cannot PXE boot`);
      continue;
    }
    desired.push({ kind: 'file', path: posix.join(dir, base), content: found.content, mode: 0o644, backup: false, source: found.path });
  }
  return { desired, warnings };
}
