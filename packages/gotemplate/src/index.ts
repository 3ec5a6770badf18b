export { parseTemplate, Template, goFunc } from './template.js';
export type { ExecuteOptions, FuncMap, GoFunc, ParseOptions } from './template.js';
export type { MissingKey, Sink } from './exec.js';
export { TemplateError } from './errors.js';
export { GoFloat, GoUint8, GoComplex, GoBigInt, GoResult, goResult, stringSlice, typeName } from './values.js';
export { sprint, sprintf, sprintln, formatValue } from './fmt.js';
export { refFuncs } from './ref-funcs.js';
export * from './nodes.js';
