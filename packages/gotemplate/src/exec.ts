// Executor: walks the parse tree the way text/template/exec.go does.
//
// Hot-path notes: walk() returns a control code (0, BREAK, CONTINUE) instead
// of throwing; the "static type is interface{}" bit of dot and variables
// (which only changes error texts) travels as a boolean next to the value;
// output is appended to a string unless a sink is given.

import { TemplateError, lineColAt } from './errors.js';
import { formatValue } from './fmt.js';
import {
  type ActionNode,
  type ArgNode,
  type ChainNode,
  type CommandNode,
  type FieldNode,
  type FuncInfo,
  type IdentifierNode,
  type ListNode,
  type Node,
  NodeType,
  type ParamType,
  type PipeNode,
  type RangeNode,
  type TemplateNode,
  type Tree,
  type VariableNode,
} from './nodes.js';
import { quote } from './strconv.js';
import { GoBigInt, GoFloat, GoResult, IfaceValue, Kind, kindOf, isPlainObject, mapGet, NamedString, sliceTypeName, sortedKeys, StopExecution, truth, typeName } from './values.js';

export type MissingKey = 'default' | 'invalid' | 'zero' | 'error';

export interface Sink {
  write(s: string): void;
}

const BREAK = 1;
const CONTINUE = 2;
const MAX_EXEC_DEPTH = 100000;

/** "no final value" marker (Go's missingVal). */
const MISSING: unique symbol = Symbol('missing');
type Final = unknown;

const MK_INVALID = 0;
const MK_ZERO = 1;
const MK_ERROR = 2;

export function missingKeyCode(mk: MissingKey | undefined): number {
  switch (mk) {
    case 'zero':
      return MK_ZERO;
    case 'error':
      return MK_ERROR;
    default:
      return MK_INVALID;
  }
}

/**
 * JS runs out of stack long before Go's 100000 nested {{template}} calls.
 * When that happens the recursion is assumed to be periodic: the call Go
 * would fail on (the 100000th) is extrapolated from the cycle at the top of
 * the call stack, and the error is raised once the stack has unwound.
 */
export class DepthExceeded extends Error {
  constructor(readonly frame: CallFrame) {
    super('exceeded maximum template depth');
  }
}

interface CallFrame {
  node: TemplateNode;
  tmplName: string;
  tree: Tree;
}

function extrapolateFrame(stack: CallFrame[]): CallFrame {
  const L = stack.length;
  for (let p = 1; p <= 64 && 2 * p <= L; p++) {
    let ok = true;
    const check = Math.min(L - p, 4 * p + 8);
    for (let k = 0; k < check; k++) {
      if (stack[L - 1 - k]!.node !== stack[L - 1 - k - p]!.node) {
        ok = false;
        break;
      }
    }
    if (ok) {
      const base = L - p;
      return stack[base + ((MAX_EXEC_DEPTH - base) % p)]!;
    }
  }
  return stack[L - 1]!;
}

function isStackOverflow(e: unknown): boolean {
  return e instanceof RangeError && e.message.includes('call stack');
}

export class ExecState {
  out = '';
  node: Node | ArgNode | CommandNode | null = null;
  // Variable stack as parallel arrays with an explicit top (sp): popping is
  // one assignment instead of truncating three arrays.
  names: string[] = [];
  values: unknown[] = [];
  ifaces: boolean[] = [];
  sp = 0;
  depth = 0;
  /** Set by evalField: whether the value it returned has static type interface{}. */
  lastIface = false;
  /** Active {{template}} calls (for the depth-limit emulation). */
  calls: CallFrame[] = [];

  constructor(
    public tmplName: string,
    public tree: Tree,
    readonly templates: ReadonlyMap<string, Tree>,
    readonly missingKey: number,
    readonly sink: Sink | null,
  ) {}

  write(s: string): void {
    if (this.sink !== null) this.sink.write(s);
    else this.out += s;
  }

  errorf(msg: string): never {
    const node = this.node;
    if (node === null) {
      throw new TemplateError(`template: ${this.tmplName}: ${msg}`, this.tree.parseName, 0, null, 'exec', this.tmplName);
    }
    const { line, col } = lineColAt(this.tree.text, node.pos);
    throw new TemplateError(
      `template: ${this.tree.parseName}:${line}:${col}: executing ${quote(this.tmplName)} at <${node.toString()}>: ${msg}`,
      this.tree.parseName,
      line,
      col,
      'exec',
      this.tmplName,
    );
  }

  // --- variables ---

  push(name: string, value: unknown, iface: boolean): void {
    const i = this.sp++;
    this.names[i] = name;
    this.values[i] = value;
    this.ifaces[i] = iface;
  }

  popTo(mark: number): void {
    this.sp = mark;
  }

  setVar(name: string, value: unknown): void {
    for (let i = this.sp - 1; i >= 0; i--) {
      if (this.names[i] === name) {
        this.values[i] = value;
        this.ifaces[i] = false;
        return;
      }
    }
    this.errorf(`undefined variable: ${name}`);
  }

  varIndex(name: string): number {
    for (let i = this.sp - 1; i >= 0; i--) if (this.names[i] === name) return i;
    return this.errorf(`undefined variable: ${name}`);
  }

  // --- walking ---

  walk(dot: unknown, di: boolean, node: Node): number {
    switch (node.type) {
      case NodeType.Text:
        this.write(node.text);
        return 0;
      case NodeType.Action: {
        const val = this.evalPipeline(dot, di, node.pipe);
        if (node.pipe.decl.length === 0) this.printValue(node, val);
        return 0;
      }
      case NodeType.List: {
        const nodes = node.nodes;
        for (let i = 0; i < nodes.length; i++) {
          const c = this.walk(dot, di, nodes[i]!);
          if (c !== 0) return c;
        }
        return 0;
      }
      case NodeType.If:
      case NodeType.With: {
        const mark = this.sp;
        const val = this.evalPipeline(dot, di, node.pipe);
        let c = 0;
        if (truth(val)) {
          c = node.type === NodeType.With ? this.walk(val, false, node.list) : this.walk(dot, di, node.list);
        } else if (node.elseList !== null) c = this.walk(dot, di, node.elseList);
        this.popTo(mark);
        return c;
      }
      case NodeType.Range:
        return this.walkRange(dot, di, node);
      case NodeType.Template:
        this.walkTemplate(dot, di, node);
        return 0;
      case NodeType.Break:
        return BREAK;
      case NodeType.Continue:
        return CONTINUE;
      case NodeType.Comment:
        return 0;
    }
    this.node = node;
    return this.errorf(`unknown node: ${String(node)}`);
  }

  /** Returns CONTINUE when the else branch continues an enclosing range. */
  walkRange(dot: unknown, di: boolean, r: RangeNode): number {
    this.node = r;
    const mark = this.sp;
    const val = this.evalPipeline(dot, di, r.pipe);
    const mark2 = this.sp;
    const ndecl = r.pipe.decl.length;
    if (Array.isArray(val)) {
      if (val.length > 0) {
        const elemIface = sliceTypeName(val) === '[]interface {}';
        for (let i = 0; i < val.length; i++) {
          let elem = val[i];
          if (elem === undefined) elem = null;
          if (ndecl > 0) {
            this.values[mark2 - 1] = elem;
            this.ifaces[mark2 - 1] = elemIface;
          }
          if (ndecl > 1) {
            this.values[mark2 - 2] = i;
            this.ifaces[mark2 - 2] = false;
          }
          const c = this.walk(elem, elemIface, r.list);
          this.popTo(mark2);
          if (c === BREAK) break;
        }
        this.popTo(mark);
        return 0;
      }
    } else if (typeof val === 'object' && val !== null && (val instanceof Map || isPlainObject(val))) {
      const keys = sortedKeys(val);
      if (keys.length > 0) {
        for (let i = 0; i < keys.length; i++) {
          const k = keys[i]!;
          let elem = mapGet(val, k);
          if (elem === undefined) elem = null;
          if (ndecl > 0) {
            this.values[mark2 - 1] = elem;
            this.ifaces[mark2 - 1] = true;
          }
          if (ndecl > 1) {
            this.values[mark2 - 2] = k;
            this.ifaces[mark2 - 2] = false;
          }
          const c = this.walk(elem, true, r.list);
          this.popTo(mark2);
          if (c === BREAK) break;
        }
        this.popTo(mark);
        return 0;
      }
    } else if (val !== undefined) {
      this.errorf(`range can't iterate over ${formatValue(val)}`);
    }
    let c = 0;
    if (r.elseList !== null) c = this.walk(dot, di, r.elseList);
    this.popTo(mark);
    // Go recovers a break anywhere inside walkRange (so one in the else just
    // ends this range) but a continue only per iteration (it reaches the outer range).
    return c === CONTINUE ? CONTINUE : 0;
  }

  walkTemplate(dot: unknown, di: boolean, t: TemplateNode): void {
    this.node = t;
    const tree = this.templates.get(t.name);
    if (tree === undefined) this.errorf(`template ${quote(t.name)} not defined`);
    if (this.depth === MAX_EXEC_DEPTH) this.errorf(`exceeded maximum template depth (${MAX_EXEC_DEPTH})`);
    const newDot = t.pipe === null ? undefined : this.evalPipeline(dot, di, t.pipe);
    const saved = { tmplName: this.tmplName, tree: this.tree, names: this.names, values: this.values, ifaces: this.ifaces, sp: this.sp };
    this.calls.push({ node: t, tmplName: this.tmplName, tree: this.tree });
    this.tmplName = tree.name;
    this.tree = tree;
    this.names = ['$'];
    this.values = [newDot];
    this.ifaces = [false];
    this.sp = 1;
    this.depth++;
    try {
      this.walk(newDot, false, tree.root);
    } catch (e) {
      if (isStackOverflow(e)) throw new DepthExceeded(extrapolateFrame(this.calls));
      throw e;
    } finally {
      this.depth--;
      this.calls.pop();
    }
    this.restore(saved);
  }

  /** Turn a DepthExceeded (raised deep in the stack) into Go's error, once unwound. */
  depthError(e: DepthExceeded): never {
    this.tmplName = e.frame.tmplName;
    this.tree = e.frame.tree;
    this.node = e.frame.node;
    return this.errorf(`exceeded maximum template depth (${MAX_EXEC_DEPTH})`);
  }

  restore(saved: { tmplName: string; tree: Tree; names: string[]; values: unknown[]; ifaces: boolean[]; sp: number }): void {
    this.sp = saved.sp;
    this.tmplName = saved.tmplName;
    this.tree = saved.tree;
    this.names = saved.names;
    this.values = saved.values;
    this.ifaces = saved.ifaces;
  }

  printValue(node: ActionNode, v: unknown): void {
    switch (typeof v) {
      case 'string':
        this.write(v);
        return;
      case 'undefined':
        this.write('<no value>');
        return;
      case 'function':
        this.node = node;
        this.errorf(`can't print ${node.toString()} of type ${typeName(v)}`);
    }
    this.write(formatValue(v));
  }

  // --- evaluation ---

  evalPipeline(dot: unknown, di: boolean, pipe: PipeNode): unknown {
    this.node = pipe;
    let value: unknown = MISSING;
    const cmds = pipe.cmds;
    for (let i = 0; i < cmds.length; i++) {
      value = this.evalCommand(dot, di, cmds[i]!, value);
      if (value === null) value = undefined; // unwrap a nil interface{}
    }
    const decl = pipe.decl;
    for (let i = 0; i < decl.length; i++) {
      if (pipe.isAssign) this.setVar(decl[i]!.ident[0]!, value);
      else this.push(decl[i]!.ident[0]!, value, false);
    }
    return value;
  }

  notAFunction(args: ArgNode[] | null, final: Final): void {
    if ((args !== null && args.length > 1) || final !== MISSING) {
      this.errorf(`can't give argument to non-function ${args![0]!.toString()}`);
    }
  }

  evalCommand(dot: unknown, di: boolean, cmd: CommandNode, final: Final): unknown {
    const first = cmd.args[0]!;
    switch (first.type) {
      case NodeType.Field:
        this.node = first;
        return this.evalFieldChain(dot, dot, di, first, first.ident, cmd.args, final);
      case NodeType.Chain:
        return this.evalChainNode(dot, di, first, cmd.args, final);
      case NodeType.Identifier:
        this.node = first;
        return this.evalCall(dot, di, first.func!, cmd, first.ident, cmd.args, final);
      case NodeType.Pipe:
        this.notAFunction(cmd.args, final);
        return this.evalPipeline(dot, di, first);
      case NodeType.Variable:
        return this.evalVariableNode(dot, di, first, cmd.args, final);
    }
    this.node = first;
    this.notAFunction(cmd.args, final);
    switch (first.type) {
      case NodeType.Bool:
        return first.value;
      case NodeType.Dot:
        return dot;
      case NodeType.Nil:
        return this.errorf('nil is not a command');
      case NodeType.Number:
        if (first.constantError !== null) this.errorf(first.constantError);
        return first.constant;
      case NodeType.String:
        return first.text;
    }
    return this.errorf(`can't evaluate command ${quote(String(first))}`);
  }

  evalChainNode(dot: unknown, di: boolean, chain: ChainNode, args: ArgNode[] | null, final: Final): unknown {
    this.node = chain;
    if (chain.node.type === NodeType.Nil) this.errorf(`indirection through explicit nil in ${chain.toString()}`);
    const pipe = this.evalArg(dot, di, null, chain.node);
    return this.evalFieldChain(dot, pipe, false, chain, chain.field, args, final);
  }

  evalVariableNode(dot: unknown, _di: boolean, v: VariableNode, args: ArgNode[] | null, final: Final): unknown {
    this.node = v;
    const i = this.varIndex(v.ident[0]!);
    const value = this.values[i];
    if (v.ident.length === 1) {
      this.notAFunction(args, final);
      return value;
    }
    return this.evalFieldChain(dot, value, this.ifaces[i]!, v, v.rest, args, final);
  }

  evalFieldChain(
    dot: unknown,
    receiver: unknown,
    iface: boolean,
    node: Node | ArgNode,
    ident: string[],
    args: ArgNode[] | null,
    final: Final,
  ): unknown {
    const n = ident.length;
    for (let i = 0; i < n - 1; i++) {
      receiver = this.evalField(dot, ident[i]!, node, null, MISSING, receiver, iface);
      iface = this.lastIface;
    }
    return this.evalField(dot, ident[n - 1]!, node, args, final, receiver, iface);
  }

  evalField(
    dot: unknown,
    fieldName: string,
    node: Node | ArgNode,
    args: ArgNode[] | null,
    final: Final,
    receiver: unknown,
    iface: boolean,
  ): unknown {
    if (receiver === undefined) {
      if (this.missingKey === MK_ERROR) this.errorf(`nil data; no entry for key ${quote(fieldName)}`);
      this.lastIface = false;
      return undefined;
    }
    if (receiver === null) this.errorf(`nil pointer evaluating interface {}.${fieldName}`);
    if (typeof receiver === 'object' && !Array.isArray(receiver)) {
      if (receiver instanceof Map || isPlainObject(receiver)) {
        if ((args !== null && args.length > 1) || final !== MISSING) {
          this.errorf(`${fieldName} is not a method but has arguments`);
        }
        let v = mapGet(receiver, fieldName);
        if (v === undefined) {
          if (this.missingKey === MK_ZERO) v = null;
          else if (this.missingKey === MK_ERROR) this.errorf(`map has no entry for key ${quote(fieldName)}`);
        }
        this.lastIface = true;
        return v;
      }
      const named = receiver instanceof NamedString;
      if ((named || kindOf(receiver) === Kind.Struct) && isStructMember(receiver, fieldName) && (!named || fieldName !== 'v')) {
        const prop = (receiver as Record<string, unknown>)[fieldName];
        if (typeof prop === 'function') {
          const method: FuncInfo = {
            name: fieldName,
            builtin: false,
            fn: (prop as (...a: unknown[]) => unknown).bind(receiver),
            params: null,
            variadic: null,
          };
          const r = this.evalCall(dot, false, method, node, fieldName, args, final);
          this.lastIface = false;
          return r;
        }
        if ((args !== null && args.length > 1) || final !== MISSING) {
          this.errorf(`${fieldName} has arguments but cannot be invoked as function`);
        }
        this.lastIface = false;
        return prop === undefined ? null : prop;
      }
    }
    // Class instances stand for Go structs held in typed fields: name the class
    // even when reached through a map (JSON data never holds them).
    const typ = iface && kindOf(receiver) !== Kind.Struct ? 'interface {}' : typeName(receiver);
    return this.errorf(`can't evaluate field ${fieldName} in type ${typ}`);
  }

  evalCall(
    dot: unknown,
    di: boolean,
    fn: FuncInfo,
    node: Node | ArgNode | CommandNode,
    name: string,
    args: ArgNode[] | null,
    final: Final,
  ): unknown {
    const nArgs = args === null ? 0 : args.length - 1;
    const numIn = nArgs + (final !== MISSING ? 1 : 0);
    if (fn.builtin && (name === 'and' || name === 'or')) {
      if (numIn < 1) this.errorf(`wrong number of args for ${name}: want at least 1 got ${nArgs}`);
      const isOr = name === 'or';
      let v: unknown;
      for (let i = 1; i <= nArgs; i++) {
        v = this.evalArg(dot, di, 'value', args![i]!);
        if (truth(v === null ? undefined : v) === isOr) return v;
      }
      if (final !== MISSING) {
        v = this.validateType(final, 'value');
        if (truth(v === null ? undefined : v) === isOr) return v;
      }
      return v;
    }
    const params = fn.params;
    let numFixed: number;
    let variadic: ParamType | null;
    if (params === null) {
      numFixed = 0;
      variadic = 'any';
    } else {
      variadic = fn.variadic;
      if (variadic !== null) {
        numFixed = params.length;
        if (numIn < numFixed) this.errorf(`wrong number of args for ${name}: want at least ${numFixed} got ${nArgs}`);
      } else {
        numFixed = params.length;
        if (numIn !== numFixed) this.errorf(`wrong number of args for ${name}: want ${numFixed} got ${numIn}`);
      }
    }
    const argv: unknown[] = new Array(numIn);
    let i = 0;
    for (; i < numFixed && i < nArgs; i++) argv[i] = this.evalArg(dot, di, params![i]!, args![i + 1]!);
    for (; i < nArgs; i++) argv[i] = this.evalArg(dot, di, variadic!, args![i + 1]!);
    if (final !== MISSING) {
      const t = numIn - 1 < numFixed ? params![numIn - 1]! : variadic!;
      argv[i] = this.validateType(final, t);
    }
    let v: unknown;
    try {
      v = fn.fn(...argv);
    } catch (e) {
      if (e instanceof TemplateError || e instanceof DepthExceeded || e instanceof StopExecution || isStackOverflow(e)) throw e;
      this.node = node;
      this.errorf(`error calling ${name}: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (v instanceof GoResult) {
      if (v.error !== null && v.error !== undefined) {
        this.node = node;
        this.errorf(`error calling ${name}: ${v.error instanceof Error ? v.error.message : String(v.error)}`);
      }
      v = v.value;
    }
    return v;
  }

  validateType(value: unknown, typ: ParamType | null): unknown {
    if (value === undefined) {
      if (typ === null || typ === 'any' || typ === 'value' || typ === 'ivalue') return undefined;
      return this.errorf(`invalid value; expected ${goType(typ)}`);
    }
    switch (typ) {
      case null:
      case 'any':
      case 'value':
      case 'ivalue':
        return value;
      case 'string':
        if (typeof value === 'string') return value;
        break;
      case 'bool':
        if (typeof value === 'boolean') return value;
        break;
      case 'int':
        if ((typeof value === 'number' && Number.isSafeInteger(value)) || value instanceof GoBigInt) return value;
        break;
      case 'float64':
        if (typeof value === 'number' && !Number.isSafeInteger(value)) return value;
        if (value instanceof GoFloat) return value.v;
        break;
    }
    const got = value === null ? 'interface {}' : typeName(value);
    return this.errorf(`wrong type for value; expected ${goType(typ)}; got ${got}`);
  }

  evalArg(dot: unknown, di: boolean, typ: ParamType | null, n: ArgNode): unknown {
    if (typ === 'ivalue') {
      this.lastIface = false;
      const v = this.evalArg(dot, di, 'value', n);
      let iface = false;
      if (n.type === NodeType.Dot) iface = di;
      else if (n.type === NodeType.Field) iface = this.lastIface;
      else if (n.type === NodeType.Variable) iface = n.ident.length === 1 ? this.ifaces[this.varIndex(n.ident[0]!)]! : this.lastIface;
      return iface && v !== null && v !== undefined ? new IfaceValue(v) : v;
    }
    this.node = n;
    switch (n.type) {
      case NodeType.Dot:
        return this.validateType(dot, typ);
      case NodeType.Nil:
        if (typ === null || typ === 'any' || typ === 'value') return undefined;
        return this.errorf(`cannot assign nil to ${goType(typ)}`);
      case NodeType.Field:
        return this.validateType(this.evalFieldChain(dot, dot, di, n, n.ident, FIELD_ARGS, MISSING), typ);
      case NodeType.Variable:
        return this.validateType(this.evalVariableNode(dot, di, n, null, MISSING), typ);
      case NodeType.Pipe:
        return this.validateType(this.evalPipeline(dot, di, n), typ);
      case NodeType.Identifier:
        return this.validateType(this.evalIdentifier(dot, di, n), typ);
      case NodeType.Chain:
        return this.validateType(this.evalChainNode(dot, di, n, null, MISSING), typ);
    }
    switch (typ) {
      case 'bool':
        if (n.type === NodeType.Bool) return n.value;
        return this.errorf(`expected bool; found ${n.toString()}`);
      case 'string':
        if (n.type === NodeType.String) return n.text;
        return this.errorf(`expected string; found ${n.toString()}`);
      case 'int':
        if (n.type === NodeType.Number && n.isInt) return n.constant;
        return this.errorf(`expected integer; found ${n.toString()}`);
      case 'float64':
        if (n.type === NodeType.Number && n.isFloat) return n.float64;
        return this.errorf(`expected float64; found ${n.toString()}`);
    }
    // interface{} / reflect.Value: evalEmptyInterface
    switch (n.type) {
      case NodeType.Bool:
        return n.value;
      case NodeType.Number:
        if (n.constantError !== null) this.errorf(n.constantError);
        return n.constant;
      case NodeType.String:
        return n.text;
    }
    return this.errorf(`can't handle assignment of ${String(n)} to empty interface argument`);
  }

  evalIdentifier(dot: unknown, di: boolean, n: IdentifierNode): unknown {
    this.node = n;
    return this.evalCall(dot, di, n.func!, n, n.ident, null, MISSING);
  }
}

/** A field, getter or method of a class instance; Object's own members (toString, constructor, ...) are not Go fields. */
function isStructMember(obj: object, name: string): boolean {
  if (!(name in obj) || name === 'constructor' || name === '__proto__') return false;
  const v = (obj as Record<string, unknown>)[name];
  return !(name in Object.prototype) || v !== (Object.prototype as unknown as Record<string, unknown>)[name];
}

/** Field used as an argument: Go passes []Node{n}, i.e. "no extra args". */
const FIELD_ARGS: ArgNode[] | null = null;

function goType(t: ParamType): string {
  switch (t) {
    case 'any':
      return 'interface {}';
    case 'value':
      return 'reflect.Value';
    case 'int':
      return 'int';
    default:
      return t;
  }
}

export type { FieldNode, ListNode };
