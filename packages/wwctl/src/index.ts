export { runWwctl } from './main.js';
export { buildProgram } from './program.js';
