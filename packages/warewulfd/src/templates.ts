/**
 * Compiled boot-script templates (`ipxe/*.ipxe`, `grub/grub.cfg.ww`), parsed
 * once and re-read when the file changes (checked at most once a second, so
 * a script request costs no file I/O). Errors carry WwError codes: a missing
 * template is NOT_FOUND, a parse or execution error TEMPLATE (a 500 with
 * nothing partial sent).
 */
import { readFile, stat } from 'node:fs/promises';
import { WwError, isErrnoCode } from '@warewulf/core';
import { parseTemplate, type Template } from '@warewulf/gotemplate';

interface Entry {
  template: Template;
  mtimeMs: number;
  size: number;
  checkedAt: number;
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

  async get(path: string): Promise<Template> {
    const e = this.entries.get(path);
    const now = Date.now();
    if (e && now - e.checkedAt < this.recheckMs) return e.template;
    let pending = this.loading.get(path);
    if (!pending) {
      pending = this.load(path, e, now).finally(() => this.loading.delete(path));
      this.loading.set(path, pending);
    }
    return (await pending).template;
  }

  private async load(path: string, old: Entry | undefined, now: number): Promise<Entry> {
    let st;
    try {
      st = await stat(path);
    } catch (err) {
      this.entries.delete(path);
      if (isErrnoCode(err, 'ENOENT')) throw new WwError('WW_ERR_NOT_FOUND', `template not found: ${path}`);
      throw new WwError('WW_ERR_IO', `cannot read ${path}: ${(err as Error).message}`, { cause: err });
    }
    if (old && old.mtimeMs === st.mtimeMs && old.size === st.size) {
      old.checkedAt = now;
      return old;
    }
    const text = await readFile(path, 'utf8');
    let template: Template;
    try {
      template = parseTemplate(path, text);
    } catch (err) {
      throw new WwError('WW_ERR_TEMPLATE', (err as Error).message, { cause: err });
    }
    const entry = { template, mtimeMs: st.mtimeMs, size: st.size, checkedAt: now };
    this.entries.set(path, entry);
    return entry;
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
