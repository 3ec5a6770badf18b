// Parser for Go's text/template, following parse/parse.go production by
// production (same look-ahead, same error texts and line numbers).

import { TemplateError, lineColAt } from './errors.js';
import { type Item, Lexer, T, itemString } from './lexer.js';
import {
  ActionNode,
  type ArgNode,
  BoolNode,
  BreakNode,
  ChainNode,
  CommandNode,
  CommentNode,
  ContinueNode,
  DotNode,
  ElseNode,
  EndNode,
  FieldNode,
  type FuncInfo,
  IdentifierNode,
  IfNode,
  ListNode,
  type Node,
  NodeType,
  NilNode,
  NumberNode,
  PipeNode,
  RangeNode,
  StringNode,
  TemplateNode,
  TextNode,
  type Tree,
  VariableNode,
  WithNode,
  isEmptyTree,
} from './nodes.js';
import { quote, unquote } from './strconv.js';
import { GoBigInt, GoComplex, GoFloat } from './values.js';

export interface ParseContext {
  funcs: Map<string, FuncInfo>;
  leftDelim: string;
  rightDelim: string;
  treeSet: Map<string, Tree>;
}

class TreeParser {
  name: string;
  root: ListNode | null = null;
  vars: string[] = ['$'];
  rangeDepth = 0;
  actionLine = 0;
  /** Furthest token this parser has read: Go reports parse errors at its line (each Tree has its own look-ahead). */
  hi = 0;

  constructor(
    name: string,
    readonly parseName: string,
    readonly text: string,
    readonly ctx: ParseContext,
    readonly lx: TokenStream,
  ) {
    this.name = name;
  }

  errorf(msg: string): never {
    const line = this.lx.lineOf(this.hi);
    throw new TemplateError(`template: ${this.parseName}:${line}: ${msg}`, this.parseName, line, this.lx.colOf(this.hi), 'parse');
  }

  unexpected(token: Item, context: string): never {
    if (token.t === T.Error) {
      let extra = '';
      const tokLine = this.lx.lineAt(token.pos);
      if (this.actionLine !== 0 && this.actionLine !== tokLine) {
        extra = ` in action started at ${this.parseName}:${this.actionLine}`;
        if (token.val.endsWith(' action')) extra = extra.slice(' in action'.length);
      }
      this.errorf(itemString(token) + extra);
    }
    this.errorf(`unexpected ${itemString(token)} in ${context}`);
  }

  next(): Item {
    const it = this.lx.next();
    if (this.lx.i > this.hi) this.hi = this.lx.i;
    return it;
  }
  backup(): void {
    this.lx.backup();
  }
  peek(): Item {
    const it = this.next();
    this.lx.backup();
    return it;
  }
  nextNonSpace(): Item {
    let t: Item;
    do t = this.next();
    while (t.t === T.Space);
    return t;
  }
  peekNonSpace(): Item {
    const t = this.nextNonSpace();
    this.backup();
    return t;
  }
  expect(expected: T, context: string): Item {
    const t = this.nextNonSpace();
    if (t.t !== expected) this.unexpected(t, context);
    return t;
  }

  add(): void {
    const root = this.root!;
    const tree = this.ctx.treeSet.get(this.name);
    if (tree === undefined || isEmptyTree(tree.root)) {
      this.ctx.treeSet.set(this.name, { name: this.name, parseName: this.parseName, text: this.text, root });
      return;
    }
    if (!isEmptyTree(root)) this.errorf(`template: multiple definition of template ${quote(this.name)}`);
  }

  parse(): void {
    this.root = new ListNode(this.peek().pos);
    while (this.peek().t !== T.EOF) {
      if (this.peek().t === T.LeftDelim) {
        const delim = this.next();
        if (this.nextNonSpace().t === T.Define) {
          const sub = new TreeParser('definition', this.parseName, this.text, this.ctx, this.lx);
          sub.hi = this.lx.i;
          sub.parseDefinition();
          continue;
        }
        this.lx.backupTo(delim);
      }
      const n = this.textOrAction();
      if (n.type === NodeType.End || n.type === NodeType.Else) this.errorf(`unexpected ${n.toString()}`);
      this.root.nodes.push(n);
    }
  }

  parseDefinition(): void {
    const context = 'define clause';
    const tok = this.nextNonSpace();
    if (tok.t !== T.String && tok.t !== T.RawString) this.unexpected(tok, context);
    this.name = this.unq(tok.val);
    this.expect(T.RightDelim, context);
    const [list, end] = this.itemList();
    this.root = list;
    if (end.type !== NodeType.End) this.errorf(`unexpected ${end.toString()} in ${context}`);
    this.add();
  }

  unq(s: string): string {
    try {
      return unquote(s);
    } catch {
      this.errorf('invalid syntax');
    }
  }

  itemList(): [ListNode, Node] {
    const list = new ListNode(this.peekNonSpace().pos);
    while (this.peekNonSpace().t !== T.EOF) {
      const n = this.textOrAction();
      if (n.type === NodeType.End || n.type === NodeType.Else) return [list, n];
      list.nodes.push(n);
    }
    this.errorf('unexpected EOF');
  }

  textOrAction(): Node {
    const token = this.nextNonSpace();
    switch (token.t) {
      case T.Text:
        return new TextNode(token.pos, token.val);
      case T.LeftDelim: {
        this.actionLine = this.lx.lineAt(token.pos);
        try {
          return this.action();
        } finally {
          this.actionLine = 0;
        }
      }
      case T.Comment:
        return new CommentNode(token.pos, token.val);
    }
    this.unexpected(token, 'input');
  }

  action(): Node {
    const token = this.nextNonSpace();
    switch (token.t) {
      case T.Block:
        return this.blockControl();
      case T.Break:
        return this.breakControl(token);
      case T.Continue:
        return this.continueControl(token);
      case T.Else:
        return this.elseControl();
      case T.End:
        return new EndNode(this.expect(T.RightDelim, 'end').pos);
      case T.If:
        return this.branch(NodeType.If, true, 'if');
      case T.Range:
        return this.branch(NodeType.Range, false, 'range');
      case T.Template:
        return this.templateControl();
      case T.With:
        return this.branch(NodeType.With, false, 'with');
    }
    this.backup();
    const tok = this.peek();
    return new ActionNode(tok.pos, this.lx.lineAt(tok.pos), this.pipeline('command', T.RightDelim));
  }

  breakControl(tok: Item): Node {
    const t = this.nextNonSpace();
    if (t.t !== T.RightDelim) this.unexpected(t, '{{break}}');
    if (this.rangeDepth === 0) this.errorf('{{break}} outside {{range}}');
    return new BreakNode(tok.pos, this.lx.lineAt(tok.pos));
  }

  continueControl(tok: Item): Node {
    const t = this.nextNonSpace();
    if (t.t !== T.RightDelim) this.unexpected(t, '{{continue}}');
    if (this.rangeDepth === 0) this.errorf('{{continue}} outside {{range}}');
    return new ContinueNode(tok.pos, this.lx.lineAt(tok.pos));
  }

  pipeline(context: string, end: T): PipeNode {
    const token = this.peekNonSpace();
    const pipe = new PipeNode(token.pos, this.lx.lineAt(token.pos));
    decls: for (;;) {
      const v = this.peekNonSpace();
      if (v.t === T.Variable) {
        this.next();
        const tokenAfterVariable = this.peek();
        const next = this.peekNonSpace();
        if (next.t === T.Assign || next.t === T.Declare) {
          pipe.isAssign = next.t === T.Assign;
          this.nextNonSpace();
          pipe.decl.push(new VariableNode(v.pos, v.val.split('.')));
          this.vars.push(v.val);
        } else if (next.t === T.Char && next.val === ',') {
          this.nextNonSpace();
          pipe.decl.push(new VariableNode(v.pos, v.val.split('.')));
          this.vars.push(v.val);
          if (context === 'range' && pipe.decl.length < 2) {
            const p = this.peekNonSpace().t;
            if (p === T.Variable || p === T.RightDelim || p === T.RightParen) continue decls;
            this.errorf('range can only initialize variables');
          }
          this.errorf(`too many declarations in ${context}`);
        } else if (tokenAfterVariable.t === T.Space) {
          this.lx.backupTo(v);
        } else {
          this.lx.backupTo(v);
        }
      }
      break;
    }
    for (;;) {
      const token = this.nextNonSpace();
      switch (token.t) {
        case end:
          this.checkPipeline(pipe, context);
          return pipe;
        case T.Bool:
        case T.CharConstant:
        case T.Complex:
        case T.Dot:
        case T.Field:
        case T.Identifier:
        case T.Number:
        case T.Nil:
        case T.RawString:
        case T.String:
        case T.Variable:
        case T.LeftParen:
          this.backup();
          pipe.cmds.push(this.command());
          break;
        default:
          this.unexpected(token, context);
      }
    }
  }

  checkPipeline(pipe: PipeNode, context: string): void {
    if (pipe.cmds.length === 0) this.errorf(`missing value for ${context}`);
    for (let i = 1; i < pipe.cmds.length; i++) {
      switch (pipe.cmds[i]!.args[0]!.type) {
        case NodeType.Bool:
        case NodeType.Dot:
        case NodeType.Nil:
        case NodeType.Number:
        case NodeType.String:
          this.errorf(`non executable command in pipeline stage ${i + 1}`);
      }
    }
  }

  branch(kind: NodeType.If | NodeType.Range | NodeType.With, allowElseIf: boolean, context: string): Node {
    const nvars = this.vars.length;
    const pipe = this.pipeline(context, T.RightDelim);
    if (context === 'range') this.rangeDepth++;
    let [list, next] = this.itemList();
    if (context === 'range') this.rangeDepth--;
    let elseList: ListNode | null = null;
    if (next.type === NodeType.Else) {
      if (allowElseIf && this.peek().t === T.If) {
        this.next();
        elseList = new ListNode(next.pos);
        elseList.nodes.push(this.branch(NodeType.If, true, 'if'));
      } else {
        [elseList, next] = this.itemList();
        if (next.type !== NodeType.End) this.errorf(`expected end; found ${next.toString()}`);
      }
    }
    this.vars.length = nvars;
    const line = pipe.line;
    switch (kind) {
      case NodeType.If:
        return new IfNode(pipe.pos, line, pipe, list, elseList);
      case NodeType.Range:
        return new RangeNode(pipe.pos, line, pipe, list, elseList);
      default:
        return new WithNode(pipe.pos, line, pipe, list, elseList);
    }
  }

  elseControl(): Node {
    const peek = this.peekNonSpace();
    if (peek.t === T.If) return new ElseNode(peek.pos, this.lx.lineAt(peek.pos));
    const token = this.expect(T.RightDelim, 'else');
    return new ElseNode(token.pos, this.lx.lineAt(token.pos));
  }

  parseTemplateName(token: Item, context: string): string {
    if (token.t === T.String || token.t === T.RawString) return this.unq(token.val);
    this.unexpected(token, context);
  }

  blockControl(): Node {
    const context = 'block clause';
    const token = this.nextNonSpace();
    const name = this.parseTemplateName(token, context);
    const pipe = this.pipeline(context, T.RightDelim);
    const block = new TreeParser(name, this.parseName, this.text, this.ctx, this.lx);
    block.hi = this.lx.i;
    const [list, end] = block.itemList();
    block.root = list;
    if (end.type !== NodeType.End) this.errorf(`unexpected ${end.toString()} in ${context}`);
    block.add();
    return new TemplateNode(token.pos, this.lx.lineAt(token.pos), name, pipe);
  }

  templateControl(): Node {
    const context = 'template clause';
    const token = this.nextNonSpace();
    const name = this.parseTemplateName(token, context);
    let pipe: PipeNode | null = null;
    if (this.nextNonSpace().t !== T.RightDelim) {
      this.backup();
      pipe = this.pipeline(context, T.RightDelim);
    }
    return new TemplateNode(token.pos, this.lx.lineAt(token.pos), name, pipe);
  }

  command(): CommandNode {
    const cmd = new CommandNode(this.peekNonSpace().pos);
    for (;;) {
      this.peekNonSpace();
      const operand = this.operand();
      if (operand !== null) cmd.args.push(operand);
      const token = this.next();
      switch (token.t) {
        case T.Space:
          continue;
        case T.RightDelim:
        case T.RightParen:
          this.backup();
          break;
        case T.Pipe:
          break;
        default:
          this.unexpected(token, 'operand');
      }
      break;
    }
    if (cmd.args.length === 0) this.errorf('empty command');
    return cmd;
  }

  operand(): ArgNode | null {
    let node = this.term();
    if (node === null) return null;
    if (this.peek().t === T.Field) {
      const chain = new ChainNode(this.peek().pos, node);
      while (this.peek().t === T.Field) chain.field.push(this.next().val.slice(1));
      switch (node.type) {
        case NodeType.Field:
          node = new FieldNode(chain.pos, [...node.ident, ...chain.field]);
          break;
        case NodeType.Variable:
          node = new VariableNode(chain.pos, [...node.ident, ...chain.field]);
          break;
        case NodeType.Bool:
        case NodeType.String:
        case NodeType.Number:
        case NodeType.Nil:
        case NodeType.Dot:
          this.errorf(`unexpected . after term ${quote(node.toString())}`);
        default:
          node = chain;
      }
    }
    return node;
  }

  term(): ArgNode | null {
    const token = this.nextNonSpace();
    switch (token.t) {
      case T.Identifier: {
        const f = this.ctx.funcs.get(token.val);
        if (f === undefined) this.errorf(`function ${quote(token.val)} not defined`);
        const n = new IdentifierNode(token.pos, token.val);
        n.func = f;
        return n;
      }
      case T.Dot:
        return new DotNode(token.pos);
      case T.Nil:
        return new NilNode(token.pos);
      case T.Variable:
        return this.useVar(token.pos, token.val);
      case T.Field:
        return new FieldNode(token.pos, [token.val.slice(1)]);
      case T.Bool:
        return new BoolNode(token.pos, token.val === 'true');
      case T.CharConstant:
      case T.Complex:
      case T.Number:
        return this.newNumber(token);
      case T.LeftParen:
        return this.pipeline('parenthesized pipeline', T.RightParen);
      case T.String:
      case T.RawString:
        return new StringNode(token.pos, token.val, this.unq(token.val));
    }
    this.backup();
    return null;
  }

  useVar(pos: number, name: string): VariableNode {
    const v = new VariableNode(pos, name.split('.'));
    if (this.vars.includes(v.ident[0]!)) return v;
    this.errorf(`undefined variable ${quote(v.ident[0]!)}`);
  }

  newNumber(token: Item): NumberNode {
    const n = new NumberNode(token.pos, token.val);
    const text = token.val;
    if (token.t === T.CharConstant) {
      let cp: number;
      try {
        const [c, tail] = unquoteChar(text.slice(1), "'");
        if (tail !== "'") this.errorf(`malformed character constant: ${text}`);
        cp = c;
      } catch (e) {
        if (e instanceof TemplateError) throw e;
        this.errorf('invalid syntax');
      }
      n.isInt = n.isUint = n.isFloat = true;
      n.int64 = n.uint64 = BigInt(cp);
      n.float64 = cp;
    } else if (token.t === T.Complex) {
      // "1+2i": fmt.Sscan parses the pair
      const m = /^([+-]?[^+-]+(?:[eEpP][+-]?[0-9_]+)?)([+-].*)i$/.exec(text);
      const re = m ? parseGoFloat(m[1]!) : null;
      const im = m ? parseGoFloat(m[2]!) : null;
      if (re === null || im === null) this.errorf('expected integer');
      n.isComplex = true;
      n.float64 = re;
      n.imag = im;
      simplifyComplex(n);
    } else {
      let done = false;
      if (text.endsWith('i')) {
        const f = parseGoFloat(text.slice(0, -1));
        if (f !== null) {
          n.isComplex = true;
          n.float64 = 0;
          n.imag = f;
          simplifyComplex(n);
          done = true;
        }
      }
      if (!done) {
        const u = parseGoInt(text, false);
        if (u !== null) {
          n.isUint = true;
          n.uint64 = u;
        }
        const i = parseGoInt(text, true);
        if (i !== null) {
          n.isInt = true;
          n.int64 = i;
          if (i === 0n) {
            n.isUint = true;
            n.uint64 = u ?? 0n;
          }
        }
        if (n.isInt) {
          n.isFloat = true;
          n.float64 = Number(n.int64);
        } else if (n.isUint) {
          n.isFloat = true;
          n.float64 = Number(n.uint64);
        } else {
          const f = parseGoFloat(text);
          if (f !== null) {
            if (!/[.eEpP]/.test(text)) this.errorf(`integer overflow: ${quote(text)}`);
            n.isFloat = true;
            n.float64 = f;
            if (Number.isInteger(f) && Math.abs(f) < 2 ** 63) {
              n.isInt = true;
              n.int64 = BigInt(f);
            }
            if (Number.isInteger(f) && f >= 0 && f < 2 ** 64) {
              n.isUint = true;
              n.uint64 = BigInt(f);
            }
          }
        }
      }
      if (!n.isInt && !n.isUint && !n.isFloat && !n.isComplex) {
        this.errorf(`illegal number syntax: ${quote(text)}`);
      }
    }
    computeConstant(n);
    return n;
  }
}

function simplifyComplex(n: NumberNode): void {
  n.isFloat = n.imag === 0;
  if (n.isFloat) {
    const f = n.float64;
    n.isInt = Number.isInteger(f) && Math.abs(f) < 2 ** 63;
    if (n.isInt) n.int64 = BigInt(f);
    n.isUint = Number.isInteger(f) && f >= 0 && f < 2 ** 64;
    if (n.isUint) n.uint64 = BigInt(f);
  }
}

/** Go's idealConstant, done once at parse time. */
function computeConstant(n: NumberNode): void {
  const text = n.text;
  const isHexInt = text.length > 2 && text[0] === '0' && (text[1] === 'x' || text[1] === 'X') && !/[pP]/.test(text);
  const isRuneInt = text[0] === "'";
  if (n.isComplex) n.constant = new GoComplex(n.float64, n.imag);
  else if (n.isFloat && !isHexInt && !isRuneInt && /[.eEpP]/.test(text)) {
    n.constant = Number.isSafeInteger(n.float64) ? new GoFloat(n.float64) : n.float64;
  } else if (n.isInt) {
    const i = n.int64;
    n.constant = i >= -(2n ** 53n) + 1n && i <= 2n ** 53n - 1n ? Number(i) : new GoBigInt(i);
  } else if (n.isUint) n.constantError = `${text} overflows int`;
}

function stripUnderscores(digits: string, base: number): string | null {
  if (!digits.includes('_')) return digits;
  // Go: underscores only with a base prefix (base argument 0), between digits
  if (base === 10 && !/^0/.test(digits)) {
    // decimal without prefix: underscores allowed when base==0 per underscoreOK
  }
  if (/__|_$/.test(digits)) return null;
  return digits.replace(/_/g, '');
}

/** strconv.ParseInt/ParseUint(text, 0, 64). */
export function parseGoInt(text: string, signed: boolean): bigint | null {
  let s = text;
  let neg = false;
  if (s[0] === '+' || s[0] === '-') {
    if (!signed) return null;
    neg = s[0] === '-';
    s = s.slice(1);
  }
  let base = 10;
  let body = s;
  let prefixed = false;
  if (s[0] === '0' && s.length > 1) {
    const c = s[1]!.toLowerCase();
    if (c === 'x') {
      base = 16;
      body = s.slice(2);
      prefixed = true;
    } else if (c === 'o') {
      base = 8;
      body = s.slice(2);
      prefixed = true;
    } else if (c === 'b') {
      base = 2;
      body = s.slice(2);
      prefixed = true;
    } else {
      base = 8;
      body = s.slice(1);
      prefixed = true;
    }
  }
  if (body.startsWith('_')) {
    if (!prefixed) return null;
    body = body.slice(1);
  }
  const stripped = stripUnderscores(body, base);
  if (stripped === null || stripped.length === 0) return null;
  const re = base === 16 ? /^[0-9a-fA-F]+$/ : base === 8 ? /^[0-7]+$/ : base === 2 ? /^[01]+$/ : /^[0-9]+$/;
  if (!re.test(stripped)) return null;
  let v = 0n;
  const b = BigInt(base);
  for (const ch of stripped) v = v * b + BigInt(parseInt(ch, base));
  if (neg) v = -v;
  if (signed) {
    if (v > 2n ** 63n - 1n || v < -(2n ** 63n)) return null;
  } else if (v > 2n ** 64n - 1n) return null;
  return v;
}

/** strconv.ParseFloat(text, 64); null on syntax or range error. */
export function parseGoFloat(text: string): number | null {
  let s = text;
  let sign = 1;
  if (s[0] === '+' || s[0] === '-') {
    if (s[0] === '-') sign = -1;
    s = s.slice(1);
  }
  if (/^0[xX]/.test(s)) {
    const m = /^0[xX]_?([0-9a-fA-F_]*)(?:\.([0-9a-fA-F_]*))?[pP]([+-]?[0-9_]+)$/.exec(s);
    if (!m) return null;
    const ip = m[1]!.replace(/_/g, '');
    const fp = (m[2] ?? '').replace(/_/g, '');
    if (ip.length + fp.length === 0) return null;
    let mant = 0;
    for (const ch of ip + fp) mant = mant * 16 + parseInt(ch, 16);
    const exp = parseInt(m[3]!.replace(/_/g, ''), 10) - 4 * fp.length;
    const v = mant * 2 ** exp;
    return Number.isFinite(v) ? sign * v : null;
  }
  if (!/^(?:[0-9][0-9_]*)?(?:\.[0-9_]*)?(?:[eE][+-]?[0-9_]+)?$/.test(s) || !/[0-9]/.test(s.replace(/[eE].*$/, ''))) {
    return null;
  }
  if (s.includes('_')) {
    // underscoreOK: only between digits
    if (/(^|[^0-9])_|_($|[^0-9])/.test(s)) return null;
    s = s.replace(/_/g, '');
  }
  const v = Number(s);
  if (!Number.isFinite(v)) return null;
  return sign * v;
}

/** strconv.UnquoteChar: first character (with escapes) of s and the rest. */
function unquoteChar(s: string, q: string): [number, string] {
  const c = s[0];
  if (c === undefined || c === q) throw new SyntaxError('invalid syntax');
  if (c !== '\\') {
    const cp = s.codePointAt(0)!;
    return [cp, s.slice(cp > 0xffff ? 2 : 1)];
  }
  const e = s[1];
  const simple: Record<string, number> = { a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11, '\\': 92 };
  if (e !== undefined && Object.hasOwn(simple, e)) return [simple[e]!, s.slice(2)];
  if (e === q) return [q.charCodeAt(0), s.slice(2)];
  if (e === 'x' || e === 'u' || e === 'U') {
    const n = e === 'x' ? 2 : e === 'u' ? 4 : 8;
    const h = s.slice(2, 2 + n);
    if (h.length !== n || !/^[0-9a-fA-F]+$/.test(h)) throw new SyntaxError('invalid syntax');
    const v = parseInt(h, 16);
    if (e !== 'x' && (v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))) throw new SyntaxError('invalid syntax');
    return [v, s.slice(2 + n)];
  }
  if (e !== undefined && e >= '0' && e <= '7') {
    const o = s.slice(1, 4);
    if (!/^[0-7]{3}$/.test(o)) throw new SyntaxError('invalid syntax');
    const v = parseInt(o, 8);
    if (v > 255) throw new SyntaxError('invalid syntax');
    return [v, s.slice(4)];
  }
  throw new SyntaxError('invalid syntax');
}

/** Token cursor with Go's peek/backup discipline and "line of the furthest token" for errors. */
class TokenStream {
  i = 0;
  max = 0;
  constructor(
    readonly items: Item[],
    readonly text: string,
  ) {}
  next(): Item {
    const it = this.items[Math.min(this.i, this.items.length - 1)]!;
    this.i++;
    if (this.i > this.max) this.max = this.i;
    return it;
  }
  backup(): void {
    this.i--;
  }
  backupTo(it: Item): void {
    this.i = this.items.indexOf(it, Math.max(0, this.i - 4));
  }
  peek(): Item {
    const it = this.next();
    this.backup();
    return it;
  }
  /** Line of the token read last when `hi` tokens had been read. */
  lineOf(hi: number): number {
    const it = this.items[Math.max(0, Math.min(hi, this.items.length) - 1)];
    return it ? this.lineAt(it.pos) : 1;
  }

  /** 0-based byte column of the token read last when `hi` tokens had been read (Go prints none for parse errors). */
  colOf(hi: number): number {
    const it = this.items[Math.max(0, Math.min(hi, this.items.length) - 1)];
    return it ? lineColAt(this.text, it.pos).col : 0;
  }

  private nl: number[] | null = null;
  /** 1-based line of an offset (binary search over newline offsets, built once). */
  lineAt(pos: number): number {
    if (this.nl === null) {
      this.nl = [];
      for (let i = this.text.indexOf('\n'); i >= 0; i = this.text.indexOf('\n', i + 1)) this.nl.push(i);
    }
    const nl = this.nl;
    let lo = 0;
    let hi = nl.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (nl[mid]! < pos) lo = mid + 1;
      else hi = mid;
    }
    return lo + 1;
  }
}

/** Parse `text` as template `name`, adding it and its {{define}}s to ctx.treeSet. */
export function parseInto(name: string, text: string, ctx: ParseContext): void {
  const breakOK = !ctx.funcs.has('break');
  const continueOK = !ctx.funcs.has('continue');
  const items = new Lexer(text, ctx.leftDelim, ctx.rightDelim, breakOK, continueOK).run();
  const ts = new TokenStream(items, text);
  const p = new TreeParser(name, name, text, ctx, ts);
  p.parse();
  p.add();
}
