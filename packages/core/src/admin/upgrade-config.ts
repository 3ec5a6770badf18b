/**
 * `wwctl upgrade config` (§1.10, §3.4): a warewulf.conf of any era written
 * in today's keys. The parser already folds the 4.3 keys into today's
 * (`ipv6net`, `warewulf.datastore`, `container mounts`, 4.2's `nfs.exports`;
 * `WW_INTERNAL` and `warewulf.syslog` are dropped with a warning), and the
 * renderer writes today's keys only, so upgrading is parse-then-render.
 * The export paths' `mount` and `mount options` are not today's keys: they
 * move to nodes.conf with `upgrade nodes --with-warewulfconf` (legacyMounts).
 */
import { dump } from 'js-yaml';
import type { Logger } from '../log.js';
import { parseWarewulfConf } from '../config/parse.js';
import { warewulfConfToDocument } from '../config/render.js';
import { legacyMountAdvice, legacyNfsMounts } from '../config/legacy-mounts.js';
import type { WarewulfConf } from '../config/types.js';
import { isMapping } from '../yaml-value.js';
import type { LegacyMount } from './upgrade-nodes.js';

/**
 * Today's warewulf.conf for the text of any era's. `file` names the input
 * in messages; `original` is where the legacy text will be once the
 * upgrade is written (`<file>-old` in place), named in the warning for
 * each NFS mount the nodes had (§3.4: not today's keys, dropped here, moved
 * to nodes.conf by `upgrade nodes --with-warewulfconf=<original>`).
 * Throws WW_ERR_CONFIG_PARSE / WW_ERR_CONFIG_INVALID with `file:line:col`
 * as parseWarewulfConf.
 */
export function upgradeWarewulfConf(text: string, file: string, log: Logger, original: string = file): string {
  const conf = parseWarewulfConf(text, { file, logger: log });
  for (const m of legacyNfsMounts(conf)) log.warn(`${file}: ${legacyMountAdvice(m, original)}`);
  if (isMapping(conf.raw) && 'WW_INTERNAL' in conf.raw) log.verbose(`${file}: dropping WW_INTERNAL`);
  const doc = warewulfConfToDocument(conf);
  const nfs = doc['nfs'];
  if (isMapping(nfs) && Array.isArray(nfs['export paths'])) {
    for (const e of nfs['export paths']) {
      if (!isMapping(e)) continue;
      delete e['mount'];
      delete e['mount options'];
    }
  }
  return dump(doc, { lineWidth: -1, noRefs: true, quotingType: '"' });
}

/**
 * The exports nodes mounted under the legacy scheme (§2.7
 * `--with-warewulfconf`): export paths with `mount: true`, or every path
 * of 4.2's plain `nfs.exports` list.
 */
export function legacyMounts(conf: WarewulfConf): LegacyMount[] {
  return legacyNfsMounts(conf).map((m) => ({ path: m.path, ...(m.mountOptions ? { mountOptions: m.mountOptions } : {}) }));
}
