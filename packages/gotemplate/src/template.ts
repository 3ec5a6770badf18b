// Public API: compile once (parseTemplate), execute many times.

import { BUILTINS } from './builtins.js';
import { TemplateError } from './errors.js';
import { DepthExceeded, ExecState, type MissingKey, type Sink, missingKeyCode } from './exec.js';
import type { FuncInfo, ParamType, Tree } from './nodes.js';
import { parseInto } from './parser.js';

/**
 * A func-map entry with a Go signature, so that Go's argument checks apply
 * ("wrong number of args", "expected string; found 1", ...). Plain JS
 * functions are treated as `func(...interface{}) interface{}`.
 */
export interface GoFunc {
  readonly goFunc: true;
  readonly params: readonly ParamType[];
  readonly variadic: ParamType | null;
  readonly fn: (...args: never[]) => unknown;
}

export function goFunc(params: readonly ParamType[], fn: (...args: never[]) => unknown, variadic: ParamType | null = null): GoFunc {
  return { goFunc: true, params, variadic, fn };
}

export type FuncMap = Record<string, ((...args: never[]) => unknown) | GoFunc>;

export interface ParseOptions {
  funcs?: FuncMap;
  missingkey?: MissingKey;
  /** Custom action delimiters, default ['{{', '}}']. */
  delims?: [string, string];
}

export interface ExecuteOptions {
  missingkey?: MissingKey;
  /** Stream output through this sink instead of returning it (execute then returns ''). */
  sink?: Sink;
}

function funcInfos(funcs: FuncMap | undefined): Map<string, FuncInfo> {
  const m = new Map<string, FuncInfo>(BUILTINS);
  if (funcs) {
    for (const [name, f] of Object.entries(funcs)) {
      if (typeof f === 'function') {
        m.set(name, { name, builtin: false, fn: f as (...a: unknown[]) => unknown, params: null, variadic: null });
      } else {
        m.set(name, {
          name,
          builtin: false,
          fn: f.fn as (...a: unknown[]) => unknown,
          params: [...f.params],
          variadic: f.variadic,
        });
      }
    }
  }
  return m;
}

export class Template {
  /** @internal */
  constructor(
    readonly name: string,
    /** All templates of this set: the top level and every {{define}}/{{block}}. */
    readonly trees: ReadonlyMap<string, Tree>,
    private readonly missingkey: MissingKey,
  ) {}

  /** The parse tree of a template in the set (the top level by default). */
  tree(name: string = this.name): Tree | undefined {
    return this.trees.get(name);
  }

  /** Names of all templates in the set. */
  templateNames(): string[] {
    return [...this.trees.keys()];
  }

  /** Render the top-level template. Throws TemplateError (with Go's message) on failure. */
  execute(data: unknown, opts: ExecuteOptions = {}): string {
    return this.executeTemplate(this.name, data, opts);
  }

  /** Render a named template of the set (Go's ExecuteTemplate). */
  executeTemplate(name: string, data: unknown, opts: ExecuteOptions = {}): string {
    const tree = this.trees.get(name);
    if (tree === undefined) {
      const msg =
        name === this.name
          ? `template: ${name}: "${name}" is an incomplete or empty template`
          : `template: no template "${name}" associated with template "${this.name}"`;
      throw new TemplateError(msg, this.name, 0, null, 'exec', name);
    }
    const st = new ExecState(
      name,
      tree,
      this.trees,
      missingKeyCode(opts.missingkey ?? this.missingkey),
      opts.sink ?? null,
    );
    const dot = data === null ? undefined : data;
    st.push('$', dot, false);
    try {
      st.walk(dot, false, tree.root);
    } catch (e) {
      if (e instanceof DepthExceeded) st.depthError(e);
      throw e;
    }
    return st.out;
  }
}

/** Parse (compile) a template. Throws TemplateError with Go's parse error text. */
export function parseTemplate(name: string, text: string, opts: ParseOptions = {}): Template {
  const mk = opts.missingkey ?? 'default';
  if (!['default', 'invalid', 'zero', 'error'].includes(mk)) {
    throw new TemplateError(`unrecognized option: missingkey=${mk}`, name, 0, null, 'parse');
  }
  const treeSet = new Map<string, Tree>();
  parseInto(name, text, {
    funcs: funcInfos(opts.funcs),
    leftDelim: opts.delims?.[0] || '{{',
    rightDelim: opts.delims?.[1] || '}}',
    treeSet,
  });
  return new Template(name, treeSet, mk);
}
