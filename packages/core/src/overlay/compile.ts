/**
 * Overlay templates compiled once per file and rendered per node (§5.4–5.6):
 * Go text/template with Sprig's functions and Warewulf's, output split into
 * slots (`file`, `softlink`), `abort` and `nobackup` honoured.
 */
import { parseTemplate, StopExecution, TemplateError, type Template } from '@warewulf/gotemplate';
import { sprigFuncs } from '@warewulf/gotemplate/sprig';
import { WwError, type WwErrorCode } from '../errors.js';
import { warewulfFuncs, type ExecContext, type Slot, type TemplateEnv, type TemplateSource } from './funcs.js';
import type { NodeData } from './template-data.js';

export type { TemplateEnv, TemplateSource } from './funcs.js';

/** One output of a render. */
export interface OutputSlot {
  /** The name the template gave (`file "ifcfg-default.conf"`), or the template path minus `.ww`. */
  name: string;
  /** Relative to the output root, `/`-separated, never escaping it. */
  path: string;
  kind: 'file' | 'symlink';
  /** Rendered text of a file slot. */
  content: string;
  /** Target of a symlink slot. */
  target?: string;
}

export interface RenderResult {
  /** What is written, in order (§5.6): the default slot alone, or the `file` slots (plus the default if it is a symlink). Empty when aborted. */
  slots: OutputSlot[];
  aborted: boolean;
  /** `nobackup` was called: replace existing files without a `.wwbackup`. */
  nobackup: boolean;
  /** Everything rendered, in order (what `overlay show` prints for an aborted template). */
  partial: string;
  /** Server and image files the template read, as host paths. */
  reads: string[];
  /** Non-fatal problems (IncludeFrom of a missing image or file). */
  warnings: string[];
}

/** A template failing to parse or execute; names overlay, file, line and column. */
export class TemplateFileError extends WwError {
  constructor(
    code: WwErrorCode,
    message: string,
    readonly overlay: string,
    readonly file: string,
    readonly line: number,
    /** 0-based byte column, as Go counts. */
    readonly col: number,
    cause: unknown,
  ) {
    super(code, message, { cause });
  }
}

function wrap(src: TemplateSource, err: TemplateError, cause: WwError | undefined): TemplateFileError {
  // Go's text, minus its `template: NAME:LINE[:COL]: ` prefix, which we restate with the overlay and a column
  const detail = err.message.replace(/^template: [^\n]*?:\d+(?::\d+)?: /, '');
  const col = err.col ?? 0;
  return new TemplateFileError(
    cause?.code === 'WW_ERR_PATH_ESCAPE' ? 'WW_ERR_PATH_ESCAPE' : 'WW_ERR_TEMPLATE',
    `overlay ${src.overlay}: ${src.path}:${err.line}:${col}: ${detail}`,
    src.overlay,
    src.path,
    err.line,
    col,
    err,
  );
}

/** The default slot's name: the template path minus `.ww`. */
export function defaultSlotPath(path: string): string {
  return path.endsWith('.ww') ? path.slice(0, -3) : path;
}

/** Sprig's function map of an environment, made once for all its templates (a few hundred closures each time otherwise). */
const sprigMaps = new WeakMap<TemplateEnv, ReturnType<typeof sprigFuncs>>();
function sprigOf(env: TemplateEnv): ReturnType<typeof sprigFuncs> {
  let m = sprigMaps.get(env);
  if (m === undefined) sprigMaps.set(env, (m = sprigFuncs({ env: env.env ?? {}, ...(env.now ? { now: env.now } : {}) })));
  return m;
}

export class CompiledTemplate {
  readonly #template: Template;
  #exec: ExecContext | null = null;

  /** @internal use compileTemplate */
  constructor(
    readonly source: TemplateSource,
    /** The template's text as read. */
    readonly text: string,
    env: TemplateEnv,
  ) {
    const exec = () => {
      if (this.#exec === null) throw new Error('template function called outside an execution');
      return this.#exec;
    };
    const funcs = { ...sprigOf(env), ...warewulfFuncs(source, env, exec) };
    try {
      this.#template = parseTemplate(source.path, text, { funcs, missingkey: 'default' });
    } catch (err) {
      if (err instanceof TemplateError) throw wrap(source, err, undefined);
      throw err;
    }
  }

  /** The parse trees (for `overlay info` and dependency analysis). */
  get template(): Template {
    return this.#template;
  }

  /**
   * Execute for one node's data. Throws TemplateFileError (WW_ERR_TEMPLATE,
   * or WW_ERR_PATH_ESCAPE when a path left its root) naming the place.
   */
  render(data: NodeData): RenderResult {
    const path = defaultSlotPath(this.source.path);
    const def: Slot = { name: path, path, kind: 'file', parts: [] };
    const x: ExecContext = { data, slots: [def], current: def, nobackup: false, reads: new Set(), warnings: [] };
    data.Overlay = this.source.overlay;
    data.BuildSource = this.source.source;
    let aborted = false;
    const prev = this.#exec;
    this.#exec = x;
    try {
      this.#template.execute(data, { sink: { write: (s: string) => void x.current.parts.push(s) } });
    } catch (err) {
      if (err instanceof StopExecution) aborted = true;
      else if (err instanceof TemplateError) throw wrap(this.source, err, x.cause);
      else throw err;
    } finally {
      this.#exec = prev;
    }
    const all = x.slots.map((s) => toOutput(s));
    let written: OutputSlot[] = [];
    if (!aborted) written = all.length === 1 ? all : all.filter((s, i) => i > 0 || s.kind === 'symlink');
    return {
      slots: written,
      aborted,
      nobackup: x.nobackup,
      partial: all.map((s) => s.content).join(''),
      reads: [...x.reads],
      warnings: x.warnings,
    };
  }
}

function toOutput(s: Slot): OutputSlot {
  const o: OutputSlot = { name: s.name, path: s.path, kind: s.kind, content: s.parts.join('') };
  if (s.target !== undefined) o.target = s.target;
  return o;
}

/**
 * Parse a template once (Go text/template, missingkey=default, Sprig and
 * Warewulf functions). Throws TemplateFileError naming overlay, file, line
 * and column on a syntax error or an unknown function.
 */
export function compileTemplate(source: TemplateSource, text: string, env: TemplateEnv): CompiledTemplate {
  return new CompiledTemplate(source, text, env);
}
