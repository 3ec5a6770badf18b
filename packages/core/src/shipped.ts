/**
 * What warewulf-ts ships beside its code: distribution overlays, BMC
 * command templates, the default etc/warewulf files. An installation copies
 * them to `<datadir>/warewulf/...` and `<sysconfdir>/warewulf/...`; a
 * checkout (tests, the demo, a relocated WAREWULF_ROOT without an install)
 * reads them from the repository, so each lookup tries the installed
 * directory first and this one second.
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository (or installed package tree) root: this file is `packages/core/{src,dist}/shipped.*`. */
export const SHIPPED_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
/** Distribution overlays (`overlays/<name>/rootfs`), installed to `<datadir>/warewulf/overlays`. */
export const SHIPPED_OVERLAYS_DIR = resolve(SHIPPED_ROOT, 'overlays');
/** BMC command templates, installed to `<datadir>/warewulf/bmc`. */
export const SHIPPED_BMC_DIR = resolve(SHIPPED_ROOT, 'lib', 'warewulf', 'bmc');
/** The shipped etc/warewulf (warewulf.conf, nodes.conf, ipxe/, grub/), installed to `<sysconfdir>/warewulf`. */
export const SHIPPED_ETC_DIR = resolve(SHIPPED_ROOT, 'etc', 'warewulf');
