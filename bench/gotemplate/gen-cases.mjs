// Deterministic generator of random Go templates + JSON data for differential
// testing against the Go reference (gotemplate-ref). Same seed -> same cases.
//
//   import { generateCases } from './gen-cases.mjs';
//   const cases = generateCases({ seed: 1, count: 1000 });  // [{name, template, data, missingkey?}]

export function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const KEYS = ['a', 'b', 'n', 's', 'l', 'm', 'f', 'x', 'Name', 'tags', 'k'];
const STRINGS = ['', 'abc', 'Hello World', 'héllo', '<b>&"\'', 'a,b,,c', ' pad ', '0', 'x=1&y=2', '世界', 'line\nnext', 'tab\there', 'eth0', '10.0.0.1', 'ß', 'MiXeD'];
const INTS = [0, 1, -1, 2, 3, 7, 10, 42, 255, -255, 1000000, 65, 97, 9007199254740991, -17];
const FLOATS = [2.5, 0.1, -1.5, 3.14159, 1e21, 1e-7, 123456.789, 0.5, 1.005, 2.675, 1234567.5, 1e100, -0.25, 0.30000000000000004];
const FORMATS = [
  '%v', '%s', '%d', '%q', '%x', '%X', '%o', '%b', '%c', '%e', '%f', '%g', '%t', '%T', '%%', '%5d', '%-6s|', '%05.2f',
  '%+d', '%#x', '% x', '%.3s', '%8.3e', '%U', '%.0f', '%.2f', '%6.2f', '%-8v|', '%#v', '%+v', '%x-%X', '%v %v', '%d %s',
  '%3c', '%.1g', '%G', '%E', '%#o', '%08.3f', '%+.1e', '%10.4v', '%-5t|', '%q %v', '%.2s', '%#q', '%5.1f%%', '%!', '%z', '%*d',
];
const WORDS = ['x', ' ', 'hello', '\n', '  ', ':', '-', '\t', 'a b', '<', 'end', '|', ',', '\n\n  ', 'héllo ', '世界\n', '\r\n', '{', '}'];

export function generateCases({ seed = 1, count = 1000, prefix = 'gen' } = {}) {
  const rnd = mulberry32(seed);
  const pick = (a) => a[Math.floor(rnd() * a.length)];
  const chance = (p) => rnd() < p;
  const int = (lo, hi) => lo + Math.floor(rnd() * (hi - lo + 1));

  function genScalar() {
    const r = rnd();
    if (r < 0.3) return pick(STRINGS);
    if (r < 0.55) return pick(INTS);
    if (r < 0.7) return pick(FLOATS);
    if (r < 0.82) return chance(0.5);
    return null;
  }
  function genValue(depth) {
    const r = rnd();
    if (depth > 2 || r < 0.5) return genScalar();
    if (r < 0.75) {
      const n = int(0, 4);
      return Array.from({ length: n }, () => genValue(depth + 1));
    }
    return genMap(depth + 1, int(0, 4));
  }
  function genMap(depth, n) {
    const m = {};
    for (let i = 0; i < n; i++) m[pick(KEYS)] = genValue(depth);
    return m;
  }
  // "Typed" cases: a fixed schema and type-aware operands, so that most
  // templates render instead of failing early (errors are compared too).
  function genTypedData() {
    const d = {
      s: pick(STRINGS),
      Name: pick(['node01', 'n1', 'Héllo', 'a b', '']),
      n: pick(INTS.slice(0, 12)),
      k: int(-3, 12),
      f: pick(FLOATS),
      b: chance(0.5),
      l: Array.from({ length: int(0, 5) }, () => int(-5, 20)),
      tags: Array.from({ length: int(0, 4) }, () => pick(STRINGS)),
      m: {},
      a: { b: { c: pick(STRINGS), n: int(0, 9) }, list: [1, 2, 3], s: pick(STRINGS) },
      x: chance(0.8) ? pick(STRINGS) : null,
    };
    for (let i = int(0, 4); i > 0; i--) d.m[pick(['x', 'y', 'Mid', 'alpha', '10', '9', 'k'])] = pick(STRINGS);
    if (chance(0.2)) delete d.x;
    return d;
  }
  const TYPED = {
    str: ['.s', '.Name', '.a.b.c', '.a.s', '.m.x', '.m.k', '.x', 'index .tags 0'],
    int: ['.n', '.k', '.a.b.n', 'len .l', 'len .s', 'index .l 0', 'len .tags'],
    float: ['.f'],
    list: ['.l', '.tags', '.a.list', '(split "," .s)', '(list 1 "a" 2.5)'],
    map: ['.m', '.a', '.a.b', '(dict "k" .s "n" .n)'],
  };
  function typedOperand(kind) {
    const r = rnd();
    if (kind === 'str') return r < 0.7 ? wrap(pick(TYPED.str)) : JSON.stringify(pick(STRINGS));
    if (kind === 'int') return r < 0.6 ? wrap(pick(TYPED.int)) : String(int(-5, 20));
    if (kind === 'float') return r < 0.5 ? wrap('.f') : pick(['1.5', '0.1', '2.0', '-3.25', '1e3']);
    if (kind === 'list') return wrap(pick(TYPED.list));
    if (kind === 'map') return wrap(pick(TYPED.map));
    return typedOperand(pick(['str', 'int', 'float', 'list', 'map', 'str', 'int']));
  }
  let dotChanged = false;
  function wrap(x) {
    if (dotChanged) x = x.replace(/(^|[ (])\.(?=[A-Za-z])/g, '$1$$.');
    return x.includes(' ') ? '(' + x + ')' : x;
  }
  const TYPED_CMDS = [
    () => typedOperand('any'),
    () => 'printf ' + JSON.stringify(pick(FORMATS)) + ' ' + typedOperand('any'),
    () => 'printf ' + JSON.stringify(pick(['%s-%d', '%v|%v', '%q:%5d', '%-8s|%x'])) + ' ' + typedOperand('str') + ' ' + typedOperand('int'),
    () => 'printf ' + JSON.stringify(pick(['%.2f', '%8.3f', '%e', '%g', '%v', '%06.1f', '%.0f', '%+.3e', '%G'])) + ' ' + typedOperand('float'),
    () => pick(['upper', 'lower', 'trim', 'quote', 'html', 'js', 'urlquery', 'len']) + ' ' + typedOperand('str'),
    () => pick(['eq', 'ne', 'lt', 'le', 'gt', 'ge']) + ' ' + typedOperand('int') + ' ' + typedOperand('int'),
    () => pick(['eq', 'ne', 'lt', 'ge']) + ' ' + typedOperand('str') + ' ' + typedOperand('str'),
    () => 'eq ' + typedOperand('int') + ' ' + typedOperand('int') + ' ' + typedOperand('int'),
    () => pick(['and', 'or']) + ' ' + typedOperand('any') + ' ' + typedOperand('any'),
    () => 'not ' + typedOperand('any'),
    () => 'join ' + JSON.stringify(pick([',', ' ', '-'])) + ' ' + typedOperand('list'),
    () => 'index ' + typedOperand('list') + ' ' + int(0, 2),
    () => 'index ' + typedOperand('map') + ' ' + JSON.stringify(pick(['x', 'k', 'b', 'n', 'nope'])),
    () => 'slice ' + typedOperand('list') + ' ' + int(0, 1) + (chance(0.5) ? ' ' + int(1, 2) : ''),
    () => 'slice ' + typedOperand('str') + ' ' + int(0, 1),
    () => pick(['add', 'sub']) + ' ' + typedOperand('int') + ' ' + typedOperand('int'),
    () => 'inc ' + typedOperand('int'),
    () => 'default ' + JSON.stringify('dflt') + ' ' + typedOperand('any'),
    () => 'replace ' + JSON.stringify(pick(['a', ',', ' ', 'l'])) + ' ' + JSON.stringify(pick(['-', '', 'XY'])) + ' ' + typedOperand('str'),
    () => pick(['contains', 'hasPrefix', 'hasSuffix']) + ' ' + JSON.stringify(pick(['a', 'e', 'node', ''])) + ' ' + typedOperand('str'),
    () => 'print ' + typedOperand('any') + ' ' + typedOperand('any'),
    () => 'println ' + typedOperand('any'),
    () => 'len ' + typedOperand(pick(['list', 'map', 'str'])),
  ];
  const TYPED_PIPES = ['upper', 'lower', 'len', 'print', 'quote', 'html', 'printf "%v"', 'printf "<%s>"', 'default "d"', 'urlquery', 'js', 'trim'];

  function genData() {
    if (typed) return genTypedData();
    const r = rnd();
    if (r < 0.05) return null;
    if (r < 0.08) return genScalar();
    if (r < 0.12) return Array.from({ length: int(0, 3) }, () => genValue(1));
    const d = genMap(0, int(2, 8));
    // make the common shapes likely
    if (chance(0.6)) d.l = Array.from({ length: int(0, 4) }, () => (chance(0.7) ? pick(INTS) : genValue(2)));
    if (chance(0.5)) d.m = genMap(2, int(0, 4));
    if (chance(0.5)) d.s = pick(STRINGS);
    if (chance(0.5)) d.n = pick(INTS);
    return d;
  }

  function genLiteral() {
    const r = rnd();
    if (r < 0.25) return JSON.stringify(pick(STRINGS)).replace(/\\u00([0-9a-f]{2})/g, '\\x$1');
    if (r < 0.45) return String(pick([0, 1, 2, 3, -1, 5, 10, 42, 100, 255]));
    if (r < 0.55) return pick(['1.5', '2.0', '0.1', '1e3', '-2.5', '.5', '1e-7', '3.0', '0x10', '0o17', '0b101', '1_000', "'a'", "'\\n'", '1i', '017']);
    if (r < 0.65) return pick(['true', 'false']);
    if (r < 0.7) return 'nil';
    if (r < 0.8) return '`raw ' + pick(['x', '\\n', '"q"']) + '`';
    return String(int(-3, 9));
  }

  function genField() {
    let s = '.' + pick(KEYS);
    while (chance(0.25)) s += '.' + pick(KEYS);
    return s;
  }

  function genOperand(ctx, depth) {
    const r = rnd();
    if (r < 0.35) return genField();
    if (r < 0.5) return genLiteral();
    if (r < 0.58) return '.';
    if (r < 0.66 && ctx.vars.length > 0) {
      let v = pick(ctx.vars);
      if (chance(0.3)) v += '.' + pick(KEYS);
      return v;
    }
    if (r < 0.7) return chance(0.5) ? '$' : '$.' + pick(KEYS);
    if (depth < 2) return '(' + genPipeline(ctx, depth + 1) + ')';
    return genField();
  }

  const FUNCS = [
    ['len', 1], ['index', 2], ['index', 1], ['index', 3], ['slice', 2], ['slice', 3], ['not', 1], ['and', 2], ['or', 2], ['and', 3],
    ['or', 1], ['eq', 2], ['eq', 3], ['ne', 2], ['lt', 2], ['le', 2], ['gt', 2], ['ge', 2], ['print', 2], ['print', 1], ['println', 2],
    ['html', 1], ['js', 1], ['urlquery', 1], ['join', 2], ['split', 2], ['replace', 3], ['lower', 1], ['upper', 1], ['trim', 1],
    ['contains', 2], ['hasPrefix', 2], ['hasSuffix', 2], ['default', 2], ['list', 2], ['dict', 2], ['dict', 4], ['add', 2],
    ['sub', 2], ['inc', 1], ['quote', 1], ['quote', 2], ['len', 0], ['call', 1],
  ];

  function genCommand(ctx, depth, piped) {
    if (typed && chance(0.85)) {
      if (piped) return pick(TYPED_PIPES);
      if (ctx.vars.length > 0 && chance(0.1)) return pick(ctx.vars);
      return pick(TYPED_CMDS)();
    }
    const r = rnd();
    if (!piped && r < 0.4) return genOperand(ctx, depth);
    if (r < 0.6 || piped) {
      const [f, n] = pick(FUNCS);
      const k = piped ? Math.max(0, n - 1) : n;
      const args = Array.from({ length: k }, () => genOperand(ctx, depth));
      return [f, ...args].join(' ');
    }
    const fmt = pick(FORMATS);
    const nargs = int(0, 3);
    const args = Array.from({ length: nargs }, () => genOperand(ctx, depth));
    return ['printf', JSON.stringify(fmt), ...args].join(' ');
  }

  function genPipeline(ctx, depth) {
    let s = genCommand(ctx, depth, false);
    while (chance(0.25)) s += ' | ' + genCommand(ctx, depth, true);
    return s;
  }

  function open() {
    return chance(0.15) ? '{{- ' : chance(0.004) ? '{{-' : '{{ ';
  }
  function close() {
    return chance(0.15) ? ' -}}' : ' }}';
  }

  let varCounter = 0;
  function genList(ctx, depth, n) {
    let s = '';
    for (let i = 0; i < n; i++) s += genItem(ctx, depth);
    return s;
  }
  function genItem(ctx, depth) {
    const r = rnd();
    if (r < 0.25) return pick(WORDS);
    if (r < 0.27 && ctx.inRange) return open() + pick(['break', 'continue']) + close();
    if (r < 0.55 || depth > 2) return open() + genPipeline(ctx, 0) + close();
    if (r < 0.6) {
      const v = '$v' + varCounter++;
      const s = open() + v + ' := ' + genPipeline(ctx, 0) + close();
      ctx.vars.push(v);
      return s;
    }
    if (r < 0.63 && ctx.vars.length > 0) return open() + pick(ctx.vars) + ' = ' + genPipeline(ctx, 0) + close();
    if (r < 0.72) {
      const saved = ctx.vars.length;
      let s = open() + 'if ' + genPipeline(ctx, 0) + close() + genList(ctx, depth + 1, int(0, 3));
      if (chance(0.3)) s += open() + 'else if ' + genPipeline(ctx, 0) + close() + genList(ctx, depth + 1, int(0, 2));
      if (chance(0.5)) s += open() + 'else' + close() + genList(ctx, depth + 1, int(0, 2));
      ctx.vars.length = saved;
      return s + open() + 'end' + close();
    }
    if (r < 0.84) {
      const saved = ctx.vars.length;
      const inRange = ctx.inRange;
      let decl = '';
      const d = rnd();
      if (d < 0.35) {
        const a = '$i' + varCounter++;
        const b = '$e' + varCounter++;
        decl = a + ', ' + b + ' := ';
        ctx.vars.push(a, b);
      } else if (d < 0.5) {
        const b = '$e' + varCounter++;
        decl = b + ' := ';
        ctx.vars.push(b);
      }
      const src = typed ? pick(['.l', '.tags', '.m', '.a', '.a.list', '(split "," .s)', '.a.b', '.x']) : chance(0.7) ? pick(['.l', '.m', '.', '.tags', '.a', '(split "," .s)', '(list 1 2 3)', '.l.x', '$']) : genOperand(ctx, 1);
      ctx.inRange = true;
      const savedDot = dotChanged;
      dotChanged = true;
      let body = genList(ctx, depth + 1, int(0, 3));
      dotChanged = savedDot;
      if (chance(0.2)) body += open() + 'if ' + genPipeline(ctx, 0) + close() + open() + pick(['break', 'continue']) + close() + open() + 'end' + close();
      ctx.inRange = inRange;
      ctx.vars.length = saved;
      let s = open() + 'range ' + decl + src + close() + body;
      if (chance(0.3)) s += open() + 'else' + close() + genList(ctx, depth + 1, int(0, 2));
      return s + open() + 'end' + close();
    }
    if (r < 0.9) {
      const saved = ctx.vars.length;
      let s = open() + 'with ' + genPipeline(ctx, 0) + close();
      const savedDot = dotChanged;
      dotChanged = true;
      s += genList(ctx, depth + 1, int(0, 2));
      dotChanged = savedDot;
      if (chance(0.4)) s += open() + 'else' + close() + genList(ctx, depth + 1, int(0, 2));
      ctx.vars.length = saved;
      return s + open() + 'end' + close();
    }
    if (r < 0.93) return pick(['{{/* c */}}', '{{- /* c */ -}}', '{{/* multi\nline */}}', '{{/* c */ -}}', '{{- /*c*/}}']);
    if (r < 0.94 && !ctx.inDefine) {
      const bctx = { vars: [], inRange: false, inDefine: true };
      return '{{ block "b' + int(0, 9) + '" ' + genOperand(ctx, 1) + ' }}' + genList(bctx, depth + 1, int(0, 2)) + '{{ end }}';
    }
    if (r < 0.995 && !ctx.inDefine) {
      // no {{template}} inside definitions: unbounded recursion with a
      // growing dot makes the Go reference run out of memory
      const name = pick(['t1', 't2']);
      return '{{ template "' + name + '" ' + genOperand(ctx, 1) + ' }}';
    }
    return open() + pick(['break', 'continue', 'end', 'else']) + close(); // often a parse error
  }

  const cases = [];
  let typed = false;
  for (let i = 0; i < count; i++) {
    varCounter = 0;
    typed = rnd() < 0.65;
    dotChanged = false;
    const ctx = { vars: [], inRange: false };
    let template = genList(ctx, 0, typed ? int(1, 4) : int(1, 6));
    if (template.includes('{{ template "')) {
      const dctx = { vars: [], inRange: false, inDefine: true };
      for (const name of ['t1', 't2']) {
        if (template.includes('"' + name + '"') && chance(0.9)) {
          template = '{{ define "' + name + '" }}' + genList(dctx, 2, int(1, 3)) + '{{ end }}' + template;
        }
      }
    }
    const c = { name: `${prefix}-${seed}-${i}`, template, data: genData() };
    const mk = rnd();
    if (mk < 0.1) c.missingkey = 'zero';
    else if (mk < 0.2) c.missingkey = 'error';
    cases.push(c);
  }
  return cases;
}
