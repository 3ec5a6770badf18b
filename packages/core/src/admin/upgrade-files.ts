/**
 * Where `wwctl upgrade` reads and writes (§1.10): the input defaults to the
 * live file; the output defaults to the live file too, whose previous text
 * is kept as `<file>-old`; `-` as output means "return the text" (the
 * command prints it). nodes.conf is written through the locked atomic
 * write of node/store.ts; warewulf.conf atomically with its mode kept.
 */
import { readFile, stat } from 'node:fs/promises';
import { WwError, isErrnoCode } from '../errors.js';
import { writeFileAtomic } from '../fs/atomic-write.js';
import type { Logger } from '../log.js';
import { parseNodesConf, dumpNodesConf } from '../node/document.js';
import { updateNodesConf, writeTarget } from '../node/store.js';
import { decodeUtf8 } from '../yaml/document.js';
import { upgradeWarewulfConf } from './upgrade-config.js';
import { upgradeNodesDocument, type UpgradeNodesOptions } from './upgrade-nodes.js';

/** The output value meaning standard output. */
export const STDOUT = '-';

/** The suffix of the copy of the file an upgrade replaced. */
export const OLD_SUFFIX = '-old';

async function readInput(path: string, code: 'WW_ERR_NODES_PARSE' | 'WW_ERR_CONFIG_PARSE'): Promise<string> {
  try {
    return decodeUtf8(await readFile(path), path, code);
  } catch (err) {
    if (err instanceof WwError) throw err;
    throw new WwError('WW_ERR_IO', `cannot read ${path}: ${(err as Error).message}`, { cause: err });
  }
}

/** The text and mode of a file, or undefined when it does not exist. */
async function current(path: string): Promise<{ text: Buffer; mode: number } | undefined> {
  try {
    const [text, st] = await Promise.all([readFile(path), stat(path)]);
    return { text, mode: st.mode & 0o7777 };
  } catch (err) {
    if (isErrnoCode(err, 'ENOENT')) return undefined;
    throw new WwError('WW_ERR_IO', `cannot read ${path}: ${(err as Error).message}`, { cause: err });
  }
}

export interface UpgradeFileResult {
  /** The new text when the output was STDOUT; undefined when a file was written. */
  readonly text?: string;
  /** The file written (symlinks resolved), and where its previous text was kept. */
  readonly written?: string;
  readonly old?: string;
}

/**
 * Upgrade the warewulf.conf `input` into `output` (a path or STDOUT).
 * Throws WW_ERR_IO (file named) or the parser's errors (file:line:col).
 */
export async function upgradeConfigFile(input: string, output: string, log: Logger): Promise<UpgradeFileResult> {
  const legacy = await readInput(input, 'WW_ERR_CONFIG_PARSE');
  const target = output === STDOUT ? undefined : await writeTarget(output);
  // upgraded in place, the legacy text the warnings point to is the -old copy
  const original = target !== undefined && (await writeTarget(input)) === target ? `${target}${OLD_SUFFIX}` : input;
  const text = upgradeWarewulfConf(legacy, input, log, original);
  if (target === undefined) return { text };
  const prev = await current(target);
  try {
    if (prev) await writeFileAtomic(`${target}${OLD_SUFFIX}`, prev.text, prev.mode);
    await writeFileAtomic(target, text, prev?.mode ?? 0o644);
  } catch (err) {
    throw new WwError('WW_ERR_IO', `cannot write ${target}: ${(err as Error).message}`, { cause: err });
  }
  return { written: target, ...(prev ? { old: `${target}${OLD_SUFFIX}` } : {}) };
}

/**
 * Upgrade the nodes.conf `input` into `output` (a path or STDOUT). A file
 * output is written under nodes.conf's lock; when input and output are the
 * same file the conversion reads it under that lock too. Throws the
 * parser's errors (file:line:col), WW_ERR_NODES_INVALID from the
 * conversion, WW_ERR_NODES_LOCK, WW_ERR_IO.
 */
export async function upgradeNodesFile(
  input: string,
  output: string,
  o: Omit<UpgradeNodesOptions, 'file'> & { cacheDir?: string },
): Promise<UpgradeFileResult> {
  const convertText = (text: string) => upgradeNodesDocument(parseNodesConf(text, input), { ...o, file: input });
  if (output === STDOUT) return { text: dumpNodesConf(await convertText(await readInput(input, 'WW_ERR_NODES_PARSE'))) };
  const target = await writeTarget(output);
  const same = (await writeTarget(input)) === target;
  // the input must exist (there is nothing to upgrade in the shipped default); another file is read before the lock
  const inputText = await readInput(input, 'WW_ERR_NODES_PARSE');
  let old: string | undefined;
  await updateNodesConf(target, async (doc) => {
    const prev = await current(target);
    // the live file is converted as it is under the lock, not as it was before
    const next = await convertText(same && prev ? decodeUtf8(prev.text, input, 'WW_ERR_NODES_PARSE') : inputText);
    if (prev) {
      old = `${target}${OLD_SUFFIX}`;
      await writeFileAtomic(old, prev.text, prev.mode);
    }
    for (const k of Object.keys(doc.raw)) delete doc.raw[k];
    Object.assign(doc.raw, next.raw);
    return { result: undefined, write: true };
  }, { ...(o.cacheDir !== undefined ? { cacheDir: o.cacheDir } : {}) });
  return { written: target, ...(old !== undefined ? { old } : {}) };
}
