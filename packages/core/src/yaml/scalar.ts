/**
 * nodes.conf is the admin's file: every plain scalar keeps its text. YAML
 * would turn `6.10` into the number 6.1, `012345` into 12345 and `True`
 * into true; upstream decodes into string fields and keeps what was
 * written. A plain scalar that YAML resolves to a bool, an int or a float
 * is read as a YamlScalar holding both its text (what string fields see
 * and what is written back) and its YAML value (what `resources` hand to
 * templates).
 */
export type YamlScalarKind = 'bool' | 'int' | 'float';

export class YamlScalar {
  constructor(
    /** The scalar exactly as written (`6.10`, `0x1F`, `True`). */
    readonly text: string,
    readonly kind: YamlScalarKind,
    /** What YAML 1.2's core schema makes of it. */
    readonly value: boolean | number,
  ) {
    Object.freeze(this);
  }

  /** The text: map keys and string fields use it (js-yaml stringifies keys with String()). */
  toString(): string {
    return this.text;
  }

  /** JSON output shows the YAML value, as upstream's JSON of an `interface{}` would. */
  toJSON(): boolean | number {
    return this.value;
  }

  /** Makes js-yaml call toString() on a scalar used as a mapping key instead of "[object Object]". */
  get [Symbol.toStringTag](): string {
    return 'YamlScalar';
  }
}

/** The text of a scalar read from nodes.conf: strings as they are, YamlScalars as written, other primitives stringified; '' for null and containers. */
export function scalarText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v instanceof YamlScalar) return v.text;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return '';
}

/** True for a value that is a single YAML scalar (not a mapping or a sequence). */
export function isScalar(v: unknown): boolean {
  return v === null || v instanceof YamlScalar || (typeof v !== 'object' && typeof v !== 'function' && v !== undefined);
}

/**
 * YAML data with YamlScalars replaced by their values and mappings as plain
 * objects: what templates and JSON see (`resources` of a node).
 */
export function plainData(v: unknown): unknown {
  if (v instanceof YamlScalar) return v.value;
  if (Array.isArray(v)) return v.map(plainData);
  if (typeof v === 'object' && v !== null) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v)) Object.defineProperty(out, k, { value: plainData((v as Record<string, unknown>)[k]), enumerable: true, writable: true, configurable: true });
    return out;
  }
  return v;
}
