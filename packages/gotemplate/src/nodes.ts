// Parse tree node types. Shapes and String() forms follow parse/node.go
// (String() text appears in execution errors: `at <.a.b>`). Nodes also carry
// a few fields precomputed for the executor (resolved functions, constant
// values) so that execution does no per-visit lookups.

import { quote } from './strconv.js';

export const enum NodeType {
  Text,
  Action,
  Bool,
  Chain,
  Command,
  Dot,
  Else,
  End,
  Field,
  Identifier,
  If,
  List,
  Nil,
  Number,
  Pipe,
  Range,
  String,
  Template,
  Variable,
  With,
  Comment,
  Break,
  Continue,
}

export type Node =
  | TextNode
  | ActionNode
  | BoolNode
  | ChainNode
  | CommandNode
  | DotNode
  | ElseNode
  | EndNode
  | FieldNode
  | IdentifierNode
  | IfNode
  | ListNode
  | NilNode
  | NumberNode
  | PipeNode
  | RangeNode
  | StringNode
  | TemplateNode
  | VariableNode
  | WithNode
  | CommentNode
  | BreakNode
  | ContinueNode;

/** What an argument/command node can be. */
export type ArgNode =
  | BoolNode
  | ChainNode
  | DotNode
  | FieldNode
  | IdentifierNode
  | NilNode
  | NumberNode
  | PipeNode
  | StringNode
  | VariableNode;

export class ListNode {
  readonly type = NodeType.List;
  nodes: Node[] = [];
  constructor(readonly pos: number) {}
  toString(): string {
    return this.nodes.map(String).join('');
  }
}

export class TextNode {
  readonly type = NodeType.Text;
  constructor(
    readonly pos: number,
    readonly text: string,
  ) {}
  toString(): string {
    return this.text;
  }
}

export class CommentNode {
  readonly type = NodeType.Comment;
  constructor(
    readonly pos: number,
    readonly text: string,
  ) {}
  toString(): string {
    return '{{' + this.text + '}}';
  }
}

export class PipeNode {
  readonly type = NodeType.Pipe;
  isAssign = false;
  decl: VariableNode[] = [];
  cmds: CommandNode[] = [];
  constructor(
    readonly pos: number,
    readonly line: number,
  ) {}
  toString(): string {
    let s = '';
    if (this.decl.length > 0) {
      s += this.decl.map(String).join(', ');
      s += this.isAssign ? ' = ' : ' := ';
    }
    return s + this.cmds.map(String).join(' | ');
  }
}

export class ActionNode {
  readonly type = NodeType.Action;
  constructor(
    readonly pos: number,
    readonly line: number,
    readonly pipe: PipeNode,
  ) {}
  toString(): string {
    return '{{' + this.pipe.toString() + '}}';
  }
}

export class CommandNode {
  readonly type = NodeType.Command;
  args: ArgNode[] = [];
  constructor(readonly pos: number) {}
  toString(): string {
    return this.args.map((a) => (a.type === NodeType.Pipe ? '(' + a.toString() + ')' : a.toString())).join(' ');
  }
}

/** A function-map entry resolved at parse time. */
export interface FuncInfo {
  name: string;
  builtin: boolean;
  fn: (...args: unknown[]) => unknown;
  /** Go parameter types; null = untyped JS function (variadic interface{}). */
  params: ParamType[] | null;
  variadic: ParamType | null;
}

/**
 * 'value' is Go's reflect.Value parameter of builtins; 'ivalue' is the same but
 * keeps the "static type interface{}" of map/slice elements visible (IfaceValue),
 * which only `slice` can observe (it does not unwrap its index arguments).
 */
export type ParamType = 'any' | 'string' | 'int' | 'bool' | 'float64' | 'value' | 'ivalue';

export class IdentifierNode {
  readonly type = NodeType.Identifier;
  func: FuncInfo | null = null;
  constructor(
    readonly pos: number,
    readonly ident: string,
  ) {}
  toString(): string {
    return this.ident;
  }
}

export class VariableNode {
  readonly type = NodeType.Variable;
  /** ident without the variable name: the field chain applied to it. */
  readonly rest: string[];
  constructor(
    readonly pos: number,
    readonly ident: string[],
  ) {
    this.rest = ident.slice(1);
  }
  toString(): string {
    return this.ident.join('.');
  }
}

export class DotNode {
  readonly type = NodeType.Dot;
  constructor(readonly pos: number) {}
  toString(): string {
    return '.';
  }
}

export class NilNode {
  readonly type = NodeType.Nil;
  constructor(readonly pos: number) {}
  toString(): string {
    return 'nil';
  }
}

export class FieldNode {
  readonly type = NodeType.Field;
  constructor(
    readonly pos: number,
    readonly ident: string[],
  ) {}
  toString(): string {
    return '.' + this.ident.join('.');
  }
}

export class ChainNode {
  readonly type = NodeType.Chain;
  field: string[] = [];
  constructor(
    readonly pos: number,
    readonly node: ArgNode,
  ) {}
  toString(): string {
    const n = this.node.type === NodeType.Pipe ? '(' + this.node.toString() + ')' : this.node.toString();
    return n + this.field.map((f) => '.' + f).join('');
  }
}

export class BoolNode {
  readonly type = NodeType.Bool;
  constructor(
    readonly pos: number,
    readonly value: boolean,
  ) {}
  toString(): string {
    return this.value ? 'true' : 'false';
  }
}

export class NumberNode {
  readonly type = NodeType.Number;
  isInt = false;
  isUint = false;
  isFloat = false;
  isComplex = false;
  int64 = 0n;
  uint64 = 0n;
  float64 = 0;
  imag = 0;
  /** Go's idealConstant result, or an error message ("... overflows int"). */
  constant: unknown = undefined;
  constantError: string | null = null;
  constructor(
    readonly pos: number,
    readonly text: string,
  ) {}
  toString(): string {
    return this.text;
  }
}

export class StringNode {
  readonly type = NodeType.String;
  constructor(
    readonly pos: number,
    readonly quoted: string,
    readonly text: string,
  ) {}
  toString(): string {
    return this.quoted;
  }
}

export class EndNode {
  readonly type = NodeType.End;
  constructor(readonly pos: number) {}
  toString(): string {
    return '{{end}}';
  }
}

export class ElseNode {
  readonly type = NodeType.Else;
  constructor(
    readonly pos: number,
    readonly line: number,
  ) {}
  toString(): string {
    return '{{else}}';
  }
}

abstract class BranchNode {
  constructor(
    readonly pos: number,
    readonly line: number,
    readonly pipe: PipeNode,
    readonly list: ListNode,
    readonly elseList: ListNode | null,
  ) {}
  abstract readonly keyword: string;
  toString(): string {
    let s = '{{' + this.keyword + ' ' + this.pipe.toString() + '}}' + this.list.toString();
    if (this.elseList) s += '{{else}}' + this.elseList.toString();
    return s + '{{end}}';
  }
}

export class IfNode extends BranchNode {
  readonly type = NodeType.If;
  readonly keyword = 'if';
}

export class RangeNode extends BranchNode {
  readonly type = NodeType.Range;
  readonly keyword = 'range';
}

export class WithNode extends BranchNode {
  readonly type = NodeType.With;
  readonly keyword = 'with';
}

export class BreakNode {
  readonly type = NodeType.Break;
  constructor(
    readonly pos: number,
    readonly line: number,
  ) {}
  toString(): string {
    return '{{break}}';
  }
}

export class ContinueNode {
  readonly type = NodeType.Continue;
  constructor(
    readonly pos: number,
    readonly line: number,
  ) {}
  toString(): string {
    return '{{continue}}';
  }
}

export class TemplateNode {
  readonly type = NodeType.Template;
  constructor(
    readonly pos: number,
    readonly line: number,
    readonly name: string,
    readonly pipe: PipeNode | null,
  ) {}
  toString(): string {
    return '{{template ' + quote(this.name) + (this.pipe ? ' ' + this.pipe.toString() : '') + '}}';
  }
}

/** One parsed template (the top level or a {{define}}/{{block}}). */
export interface Tree {
  name: string;
  /** Name of the top-level template whose text held this definition (used in error locations). */
  parseName: string;
  text: string;
  root: ListNode;
}

/** parse.IsEmptyTree: only whitespace text and comments. */
export function isEmptyTree(n: Node | null): boolean {
  if (n === null) return true;
  switch (n.type) {
    case NodeType.Comment:
      return true;
    case NodeType.List:
      return n.nodes.every(isEmptyTree);
    case NodeType.Text:
      return n.text.trim().length === 0 || /^[\s]*$/.test(n.text);
    default:
      return false;
  }
}
