// The JS-facing API: compile once/execute many, sinks, class instances as
// Go structs, methods, Stringer, func-map error conventions, typed errors.
import { describe, expect, it } from 'vitest';
import {
  type ActionNode,
  type FieldNode,
  GoFloat,
  NodeType,
  TemplateError,
  goFunc,
  goResult,
  parseTemplate,
  refFuncs,
} from '../src/index.js';

class NetDev {
  constructor(
    public Device: string,
    public Ipaddr: string,
  ) {}
  get Cidr(): string {
    return this.Ipaddr + '/24';
  }
  Join(sep: string): string {
    return this.Device + sep + this.Ipaddr;
  }
}

class Id {
  constructor(private readonly v: string) {}
  String(): string {
    return `<${this.v}>`;
  }
  Get(): string {
    return this.v;
  }
}

describe('execution API', () => {
  it('compiles once and executes many times', () => {
    const t = parseTemplate('t', '{{ .a }}-{{ len .l }}');
    expect(t.execute({ a: 1, l: [1, 2] })).toBe('1-2');
    expect(t.execute({ a: 'x', l: [] })).toBe('x-0');
  });

  it('streams through a sink that can be switched mid-render', () => {
    const files: Record<string, string> = { main: '' };
    let current = 'main';
    const sink = { write: (s: string) => void (files[current] += s) };
    const funcs = {
      file: (name: unknown) => {
        current = String(name);
        files[current] = '';
        return '';
      },
    };
    const t = parseTemplate('t', 'head{{ file "a" }}A{{ .x }}{{ file "b" }}B', { funcs });
    expect(t.execute({ x: 1 }, { sink })).toBe('');
    expect(files).toEqual({ main: 'head', a: 'A1', b: 'B' });
  });

  it('treats class instances as structs: fields, getters, methods, Stringer', () => {
    const t = parseTemplate('t', '{{ .Dev.Device }} {{ .Dev.Cidr }} {{ .Dev.Join ":" }} {{ .Id }} {{ .Id.Get }} {{ printf "%v|%s" .Id .Id }}');
    expect(t.execute({ Dev: new NetDev('eth0', '10.0.0.1'), Id: new Id('n1') })).toBe(
      'eth0 10.0.0.1/24 eth0:10.0.0.1 <n1> n1 <n1>|<n1>',
    );
  });

  it('reports a missing struct field with the class name', () => {
    const t = parseTemplate('t', '{{ .Dev.Nope }}');
    expect(() => t.execute({ Dev: new NetDev('eth0', '1') })).toThrow(
      'template: t:1:7: executing "t" at <.Dev.Nope>: can\'t evaluate field Nope in type NetDev',
    );
  });

  it('does not expose Object members as fields', () => {
    const t = parseTemplate('t', '{{ .Dev.toString }}');
    expect(() => t.execute({ Dev: new NetDev('eth0', '1') })).toThrow("can't evaluate field toString in type NetDev");
    expect(() => parseTemplate('t', '{{ .Dev.constructor }}').execute({ Dev: new NetDev('a', 'b') })).toThrow(
      "can't evaluate field constructor in type NetDev",
    );
    expect(parseTemplate('t', '[{{ .toString }}]').execute({})).toBe('[<no value>]');
  });

  it('treats Map as a Go map (sorted iteration)', () => {
    const t = parseTemplate('t', '{{ range $k, $v := . }}{{ $k }}={{ $v }} {{ end }}{{ .b }}');
    expect(t.execute(new Map<string, unknown>([['b', 2], ['a', 1]]))).toBe('a=1 b=2 2');
  });

  it('keeps float64 values apart from ints (GoFloat)', () => {
    const t = parseTemplate('t', '{{ printf "%T %T %v" .f .i .f }}');
    expect(t.execute({ f: new GoFloat(3), i: 3 })).toBe('float64 int 3');
  });

  it('turns a thrown Error into "error calling NAME"', () => {
    const t = parseTemplate('t', 'x{{ boom 1 }}', {
      funcs: {
        boom: () => {
          throw new Error('kaput');
        },
      },
    });
    expect(() => t.execute(null)).toThrow('template: t:1:4: executing "t" at <boom 1>: error calling boom: kaput');
  });

  it('supports Go two-result functions via goResult', () => {
    const funcs = { div: (a: unknown, b: unknown) => (b === 0 ? goResult(null, 'division by zero') : goResult(Number(a) / Number(b))) };
    const t = parseTemplate('t', '{{ div .a .b }}', { funcs });
    expect(t.execute({ a: 6, b: 3 })).toBe('2');
    expect(() => t.execute({ a: 1, b: 0 })).toThrow('error calling div: division by zero');
  });

  it('applies Go argument checks to goFunc signatures', () => {
    const funcs = { up: goFunc(['string'], (s: string) => s.toUpperCase()) };
    const t = parseTemplate('t', '{{ up .n }}', { funcs });
    expect(() => t.execute({ n: 5 })).toThrow('wrong type for value; expected string; got int');
    expect(() => parseTemplate('t', '{{ up 1 2 }}', { funcs }).execute(null)).toThrow('wrong number of args for up: want 1 got 2');
  });

  it('throws TemplateError with name, line and column', () => {
    try {
      parseTemplate('hosts.ww', 'a\n{{ .a.b }}').execute({ a: 1 });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(TemplateError);
      const te = e as TemplateError;
      expect([te.templateName, te.line, te.col, te.kind]).toEqual(['hosts.ww', 2, 5, 'exec']);
    }
    try {
      parseTemplate('x.ww', 'a\n\n{{ if }}');
      expect.unreachable();
    } catch (e) {
      const te = e as TemplateError;
      expect([te.message, te.line, te.col, te.kind]).toEqual(['template: x.ww:3: missing value for if', 3, 6, 'parse']);
    }
  });

  it('honours missingkey at parse or execute time', () => {
    const t = parseTemplate('t', '{{ .x }}', { missingkey: 'error' });
    expect(() => t.execute({})).toThrow('map has no entry for key "x"');
    expect(t.execute({}, { missingkey: 'default' })).toBe('<no value>');
  });

  it('supports custom delimiters', () => {
    expect(parseTemplate('t', '[[ .a ]] {{ .a }}', { delims: ['[[', ']]'] }).execute({ a: 1 })).toBe('1 {{ .a }}');
  });

  it('exposes the parse tree', () => {
    const t = parseTemplate('t', 'x{{ .Kernel.Version }}{{ define "d" }}{{ .Id }}{{ end }}', { funcs: refFuncs() });
    expect(t.templateNames().sort()).toEqual(['d', 't']);
    const action = t.tree()!.root.nodes[1] as ActionNode;
    expect(action.type).toBe(NodeType.Action);
    const field = action.pipe.cmds[0]!.args[0] as FieldNode;
    expect(field.ident).toEqual(['Kernel', 'Version']);
    expect(t.executeTemplate('d', { Id: 'n1' })).toBe('n1');
  });
});
