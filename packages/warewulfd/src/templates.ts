/**
 * Compiled boot-script templates (`ipxe/*.ipxe`, `grub/grub.cfg.ww`), parsed
 * once and re-read when the file changes (checked at most once a second, so
 * a script request costs no file I/O). The site's copy wins; without one the
 * shipped copy is used (a tree that was never installed, as for overlays and
 * BMC templates: core/shipped.ts). Errors are WW_ERR_TEMPLATE, a 500 with
 * nothing partial sent (§4.5): a template missing from both places, a parse
 * or an execution error.
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { SHIPPED_ETC_DIR, WwError, isErrnoCode } from '@warewulf/core';
import { parseTemplate, type Template } from '@warewulf/gotemplate';

interface Entry {
  template: Template;
  /** The file it was read from: the site's or the shipped one. */
  source: string;
  mtimeMs: number;
  size: number;
  checkedAt: number;
}

/**
 * Where the shipped copy of a boot template lives: `sub` is its directory
 * under etc/warewulf (`ipxe`, `grub`), `name` its file name.
 */
export function shippedTemplate(sub: 'ipxe' | 'grub', name: string): string {
  return join(SHIPPED_ETC_DIR, sub, name);
}

/** Compiled templates by path; see the module comment for when a file is read again. */
export class TemplateCache {
  private readonly entries = new Map<string, Entry>();
  private readonly loading = new Map<string, Promise<Entry>>();

  constructor(private readonly recheckMs = 1000) {}

  /** Forget everything (after a reload). */
  clear(): void {
    this.entries.clear();
  }

  /**
   * The compiled template at `path`, else at `shipped` when `path` does not
   * exist. Throws WW_ERR_TEMPLATE when neither exists (naming both) or the
   * text does not parse, WW_ERR_IO when a file cannot be read.
   */
  async get(path: string, shipped?: string): Promise<Template> {
    const e = this.entries.get(path);
    const now = Date.now();
    if (e && now - e.checkedAt < this.recheckMs) return e.template;
    let pending = this.loading.get(path);
    if (!pending) {
      pending = this.load(path, shipped, e, now).finally(() => this.loading.delete(path));
      this.loading.set(path, pending);
    }
    return (await pending).template;
  }

  private async load(path: string, shipped: string | undefined, old: Entry | undefined, now: number): Promise<Entry> {
    let source = path;
    let st = await statIfExists(path);
    if (st === undefined && shipped !== undefined) st = await statIfExists((source = shipped));
    if (st === undefined) {
      this.entries.delete(path);
      const where = shipped !== undefined ? `${path} (nor a shipped copy at ${shipped})` : path;
      throw new WwError('WW_ERR_TEMPLATE', `template not found: ${where}`);
    }
    if (old && old.source === source && old.mtimeMs === st.mtimeMs && old.size === st.size) {
      old.checkedAt = now;
      return old;
    }
    const text = await readFile(source, 'utf8');
    let template: Template;
    try {
      template = parseTemplate(source, text);
    } catch (err) {
      throw new WwError('WW_ERR_TEMPLATE', (err as Error).message, { cause: err });
    }
    const entry = { template, source, mtimeMs: st.mtimeMs, size: st.size, checkedAt: now };
    this.entries.set(path, entry);
    return entry;
  }
}

/** The stat of `path`, undefined when it does not exist; WW_ERR_IO for any other failure. */
async function statIfExists(path: string) {
  try {
    return await stat(path);
  } catch (err) {
    if (isErrnoCode(err, 'ENOENT') || isErrnoCode(err, 'ENOTDIR')) return undefined;
    throw new WwError('WW_ERR_IO', `cannot read ${path}: ${(err as Error).message}`, { cause: err });
  }
}

/** Execute a template; an execution error is WW_ERR_TEMPLATE. */
export function render(t: Template, data: unknown): string {
  try {
    return t.execute(data);
  } catch (err) {
    throw new WwError('WW_ERR_TEMPLATE', (err as Error).message, { cause: err });
  }
}

/**
 * Rendered boot scripts, remembered per template and per registry snapshot
 * (a reload or a template edit starts afresh): a node asking again, as in a
 * boot storm with retries, costs a map lookup instead of a render.
 */
export class RenderCache {
  private readonly byTemplate = new WeakMap<Template, WeakMap<object, Map<string, string>>>();
  private size = 0;

  constructor(private readonly maxEntries = 50_000) {}

  get(t: Template, snapshot: object, key: string, make: () => string): string {
    let perSnap = this.byTemplate.get(t);
    if (!perSnap) this.byTemplate.set(t, (perSnap = new WeakMap()));
    let m = perSnap.get(snapshot);
    if (!m) perSnap.set(snapshot, (m = new Map()));
    let out = m.get(key);
    if (out === undefined) {
      out = make();
      if (this.size >= this.maxEntries) {
        m.clear();
        this.size = 0;
      }
      m.set(key, out);
      this.size++;
    }
    return out;
  }
}
