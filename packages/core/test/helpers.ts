import { isWwError } from '../src/errors.js';

/** The code and message of the WwError `fn` throws; fails the test if it throws nothing or something else. */
export function wwErrorOf(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (err) {
    if (isWwError(err)) return { code: err.code, message: err.message };
    throw err;
  }
  throw new Error('expected a WwError');
}
