/**
 * The command line's own syntax for list and key=value flags. Core takes
 * items; how a single flag argument splits into them is wwctl's business.
 */
import { WwError, checkName, type FieldSpec } from '@warewulf/core';

/** pflag's StringSlice split: comma separated, double quotes protect commas (`"console=ttyS0,115200",quiet`). */
interface Piece {
  text: string;
  /** Any part of it was inside double quotes: the admin delimited it, so it is never rejoined. */
  quoted: boolean;
}

function csvPieces(value: string, flag: string): Piece[] {
  const out: Piece[] = [];
  let cur = '';
  let quoted = false;
  let wasQuoted = false;
  for (let i = 0; i < value.length; i++) {
    const c = value[i] as string;
    if (c === '"') {
      if (quoted && value[i + 1] === '"') {
        cur += '"';
        i++;
      } else {
        quoted = !quoted;
        wasQuoted = true;
      }
    } else if (c === ',' && !quoted) {
      out.push({ text: cur, quoted: wasQuoted });
      cur = '';
      wasQuoted = false;
    } else {
      cur += c;
    }
  }
  if (quoted) throw new WwError('WW_ERR_INVALID_VALUE', `${flag}: unterminated quote in ${JSON.stringify(value)}`);
  out.push({ text: cur, quoted: wasQuoted });
  return out;
}

function csv(value: string, flag: string): string[] {
  return csvPieces(value, flag).map((p) => p.text);
}

/**
 * A piece without `=` that follows a `key=value` piece belongs to that
 * value: `console=ttyS0,115200n8` is one kernel argument, `ctl=s00,s01` one
 * tag, while `quiet,splash` stays two items. Quotes are the admin's own
 * delimiters and win: `"console=ttyS0,115200",quiet` is two items (§1.2).
 */
function rejoinValues(pieces: readonly Piece[]): string[] {
  const out: string[] = [];
  let lastJoinable = false;
  for (const p of pieces) {
    const last = out.length - 1;
    if (last >= 0 && lastJoinable && !p.quoted && !p.text.includes('=') && p.text !== '') out[last] = `${out[last] as string},${p.text}`;
    else {
      out.push(p.text);
      lastJoinable = !p.quoted && p.text.includes('=');
    }
  }
  return out;
}

/**
 * Items of a list flag. Commas separate items except inside a key=value's
 * value; for a space-separated field (kernel arguments) a value holding
 * whitespace is split on whitespace instead, as 4.3's `-A "quiet splash"`.
 */
export function splitListFlag(value: string, spec?: FieldSpec, flag = `--${spec?.flag ?? 'value'}`): string[] {
  if (spec?.separator === 'space' && /\s/.test(value.trim()) && !value.includes('"')) {
    return value.split(/\s+/).filter((s) => s !== '');
  }
  return rejoinValues(csvPieces(value, flag)).map((s) => s.trim()).filter((s) => s !== '');
}

/** `k=v,k2=v2` of --tagadd & co.: values keep their commas; keys follow the tag name rule. */
export function parseKeyValues(value: string, flag: string): [string, string][] {
  return rejoinValues(csvPieces(value, `--${flag}`))
    .filter((s) => s.trim() !== '')
    .map((item) => {
      const eq = item.indexOf('=');
      if (eq <= 0) throw new WwError('WW_ERR_INVALID_VALUE', `--${flag}: expected key=value, got ${JSON.stringify(item)}`);
      const key = item.slice(0, eq).trim();
      checkName('tag', key, `--${flag}`);
      return [key, item.slice(eq + 1)];
    });
}

/** Names given to a list flag (`--tagdel a,b`, `--delprofile p1,p2`). */
export function splitNames(value: string, flag: string): string[] {
  return csv(value, `--${flag}`).map((s) => s.trim()).filter((s) => s !== '');
}
