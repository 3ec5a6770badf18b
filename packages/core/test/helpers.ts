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

/** The code and message of the WwError a promise rejects with; fails the test if it resolves or rejects with something else. */
export async function wwRejectionOf(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
  } catch (err) {
    if (isWwError(err)) return { code: err.code, message: err.message };
    throw err;
  }
  throw new Error('expected a WwError');
}
