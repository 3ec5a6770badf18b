// `gotemplate` CLI: the interface of ../shared/tools/gotemplate-ref so both
// can be diffed case by case (single mode and -batch JSONL mode).

import { readFileSync } from 'node:fs';
import { TemplateError } from './errors.js';
import type { MissingKey } from './exec.js';
import { asGoJSONText, compactJSON, goJSONString } from './go-json.js';
import { refFuncs } from './ref-funcs.js';
import { parseTemplate } from './template.js';
import { encodeBytes } from './values.js';

const USAGE = `usage:
  gotemplate [flags] TEMPLATE_FILE [DATA_JSON_FILE]
  gotemplate [flags] -batch CASES.jsonl     ("-" reads standard input)

Flags must come before the file arguments.
  -batch string      JSONL file of cases to render (one JSON object per line)
  -check             batch: compare results with each case's "output"/"error" instead of printing them
  -echo              batch: also copy template, data and options of each case into its result line
  -missingkey string missingkey option: default|invalid|zero|error (default "default")
  -name string       name of the top-level template (appears in error messages) (default "tpl")
`;

const VALID_MK = new Set(['', 'default', 'invalid', 'zero', 'error']);

/** Render with the reference function map; returns [output, error]. */
export function renderCase(name: string, text: string, data: unknown, missingKey: string): [string, string | null] {
  if (!VALID_MK.has(missingKey)) return ['', `unrecognized option: missingkey=${missingKey}`];
  try {
    const mk = (missingKey || 'default') as MissingKey;
    const t = parseTemplate(name, text, { funcs: refFuncs(), missingkey: mk });
    return [t.execute(data), null];
  } catch (e) {
    if (e instanceof TemplateError) return ['', e.message];
    return ['', `panic: ${e instanceof Error ? e.message : String(e)}`];
  }
}

function decodeData(raw: string | undefined): unknown {
  if (raw === undefined || raw.trim() === '') return null;
  return JSON.parse(raw) as unknown;
}

interface BatchCase {
  name?: string;
  template?: string;
  data?: unknown;
  missingkey?: string;
  template_name?: string;
  output?: string;
  error?: string | null;
}

function runBatch(input: string, defName: string, defMk: string, echo: boolean, check: boolean): number {
  const out: string[] = [];
  let lineNo = 0;
  let total = 0;
  let bad = 0;
  const lines = input.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  for (const line of lines) {
    lineNo++;
    if (line.trim() === '') continue;
    total++;
    let c: BatchCase = {};
    let output = '';
    let err: string | null;
    let rawData: string | undefined;
    try {
      c = JSON.parse(line) as BatchCase;
      rawData = c.data === undefined ? undefined : rawField(line, 'data');
      if (typeof c.template !== 'string') err = 'bad case: missing "template"';
      else {
        [output, err] = renderCase(c.template_name ?? defName, c.template, c.data ?? null, c.missingkey ?? defMk);
      }
    } catch (e) {
      err = `bad case line ${lineNo}: ${e instanceof Error ? e.message : String(e)}`;
    }
    if (check) {
      const want = c.output ?? '';
      const wantErr = c.error ?? null;
      if (asGoJSONText(output) !== want || err !== wantErr) {
        bad++;
        out.push(
          `MISMATCH line ${lineNo} ${goJSONString(c.name ?? '')}\n  want output=${goJSONString(want)} error=${wantErr === null ? 'null' : goJSONString(wantErr)}\n  got  output=${goJSONString(output)} error=${err === null ? 'null' : goJSONString(err)}`,
        );
      }
      continue;
    }
    let s = `{"name":${goJSONString(c.name ?? '')}`;
    if (echo) {
      if (c.template !== undefined) s += `,"template":${goJSONString(c.template)}`;
      if (rawData !== undefined) s += `,"data":${compactJSON(rawData)}`;
      if (c.missingkey !== undefined) s += `,"missingkey":${goJSONString(c.missingkey)}`;
      if (c.template_name !== undefined) s += `,"template_name":${goJSONString(c.template_name)}`;
    }
    s += `,"output":${goJSONString(output)},"error":${err === null ? 'null' : goJSONString(err)}}`;
    out.push(s);
  }
  if (check) out.push(`${total} cases, ${bad} mismatches`);
  process.stdout.write(out.length > 0 ? out.join('\n') + '\n' : '');
  return bad;
}

/** The raw JSON text of a top-level field of a one-line object (for -echo). */
function rawField(line: string, key: string): string | undefined {
  // Re-serialise is lossy for numbers (3.0 -> 3); scan the raw text instead.
  let i = 0;
  let depth = 0;
  let inStr = false;
  let keyStart = -1;
  for (; i < line.length; i++) {
    const ch = line[i]!;
    if (inStr) {
      if (ch === '\\') i++;
      else if (ch === '"') {
        inStr = false;
        if (depth === 1 && keyStart >= 0) {
          const k = JSON.parse(line.slice(keyStart, i + 1)) as string;
          let j = i + 1;
          while (/\s/.test(line[j] ?? '')) j++;
          if (line[j] === ':' && k === key) {
            j++;
            while (/\s/.test(line[j] ?? '')) j++;
            return line.slice(j, valueEnd(line, j));
          }
        }
      }
      continue;
    }
    if (ch === '"') {
      inStr = true;
      keyStart = line[i - 1] === '{' || /[,{]\s*$/.test(line.slice(0, i)) ? i : -1;
    } else if (ch === '{' || ch === '[') depth++;
    else if (ch === '}' || ch === ']') depth--;
  }
  return undefined;
}

function valueEnd(s: string, start: number): number {
  let depth = 0;
  let inStr = false;
  for (let i = start; i < s.length; i++) {
    const ch = s[i]!;
    if (inStr) {
      if (ch === '\\') i++;
      else if (ch === '"') {
        inStr = false;
        if (depth === 0) return i + 1;
      }
      continue;
    }
    if (ch === '"') inStr = true;
    else if (ch === '{' || ch === '[') depth++;
    else if (ch === '}' || ch === ']') {
      if (depth === 0) return i;
      depth--;
      if (depth === 0) return i + 1;
    } else if (ch === ',' && depth === 0) return i;
  }
  return s.length;
}

export function main(argv: string[]): number {
  let missingKey = 'default';
  let name = 'tpl';
  let batch = '';
  let echo = false;
  let check = false;
  let i = 0;
  for (; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--' ) {
      i++;
      break;
    }
    if (!a.startsWith('-') || a === '-') break;
    const m = /^--?([a-z]+)(?:=(.*))?$/.exec(a);
    if (!m) break;
    const flag = m[1]!;
    const take = (): string => {
      if (m[2] !== undefined) return m[2];
      i++;
      if (i >= argv.length) {
        process.stderr.write(`flag needs an argument: -${flag}\n${USAGE}`);
        process.exit(2);
      }
      return argv[i]!;
    };
    switch (flag) {
      case 'missingkey':
        missingKey = take();
        break;
      case 'name':
        name = take();
        break;
      case 'batch':
        batch = take();
        break;
      case 'echo':
        echo = m[2] === undefined || m[2] === 'true';
        break;
      case 'check':
        check = m[2] === undefined || m[2] === 'true';
        break;
      case 'h':
      case 'help':
        process.stderr.write(USAGE);
        return 0;
      default:
        process.stderr.write(`flag provided but not defined: -${flag}\n${USAGE}`);
        return 2;
    }
  }
  const rest = argv.slice(i);
  if (!VALID_MK.has(missingKey) || missingKey === '') {
    process.stderr.write(`gotemplate: invalid -missingkey value ${goJSONString(missingKey)}\n`);
    return 2;
  }
  if (batch !== '') {
    if (rest.length !== 0) {
      process.stderr.write(USAGE);
      return 2;
    }
    let input: string;
    try {
      input = readFileSync(batch === '-' ? 0 : batch, 'utf8');
    } catch (e) {
      process.stderr.write(`gotemplate: ${e instanceof Error ? e.message : String(e)}\n`);
      return 2;
    }
    return runBatch(input, name, missingKey, echo, check) > 0 ? 1 : 0;
  }
  if (rest.length < 1 || rest.length > 2) {
    process.stderr.write(USAGE);
    return 2;
  }
  let text: string;
  let data: unknown = null;
  try {
    text = readFileSync(rest[0]!, 'utf8');
    if (rest.length === 2) {
      try {
        data = decodeData(readFileSync(rest[1]!, 'utf8'));
      } catch (e) {
        process.stderr.write(`gotemplate: data: ${e instanceof Error ? e.message : String(e)}\n`);
        return 2;
      }
    }
  } catch (e) {
    process.stderr.write(`gotemplate: ${e instanceof Error ? e.message : String(e)}\n`);
    return 2;
  }
  const [out, err] = renderCase(name, text, data, missingKey);
  if (err !== null) {
    process.stdout.write(`ERROR: ${err}\n`);
    return 1;
  }
  process.stdout.write(encodeBytes(out));
  return 0;
}
