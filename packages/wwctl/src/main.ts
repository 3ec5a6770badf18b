/**
 * The only place that exits. Errors print as `ERROR: message` (a hint on the
 * next line; the stack only with --debug) and exit 255, as upstream's wwctl.
 */
import { CommanderError } from 'commander';
import { isWwError } from '@warewulf/core';
import { createCtx, type Ctx } from './context.js';
import { rewriteBoolFlags } from './field-flags.js';
import { buildProgram, forEachCommand, type GlobalOpts } from './program.js';
import { LEVELS, createWwlog } from './wwlog.js';

const ADD_SET = new Set(['add', 'new', 'create', 'set', 'modify']);

/** Rewrite pflag-style bare bool flags only where field flags take values. */
function prepareArgv(args: string[]): string[] {
  const words = args.filter((a) => !a.startsWith('-'));
  if (['node', 'nodes', 'profile'].includes(words[0] ?? '') && ADD_SET.has(words[1] ?? '')) return rewriteBoolFlags(args);
  return args;
}

export async function runWwctl(
  args: string[],
  io: { out: NodeJS.WritableStream; err: NodeJS.WritableStream; env: NodeJS.ProcessEnv; stdin?: NodeJS.ReadableStream },
): Promise<number> {
  let debug = args.includes('-d') || args.includes('--debug');
  let ctx: Ctx | undefined;
  const program = buildProgram(() => {
    if (!ctx) throw new Error('context used before the global flags were parsed');
    return ctx;
  });
  forEachCommand(program, (c) => {
    c.exitOverride();
    c.configureOutput({ writeOut: (s) => io.out.write(s), writeErr: () => undefined });
  });
  program.hook('preAction', (root) => {
    const g = root.opts<GlobalOpts>();
    debug = g.debug === true;
    const level = g.loglevel !== undefined ? Number(g.loglevel) : g.debug ? LEVELS.DEBUG : g.verbose ? LEVELS.VERBOSE : LEVELS.INFO;
    ctx = createCtx({
      env: io.env,
      out: io.out,
      err: io.err,
      log: createWwlog(level, io.out, io.err),
      ...(g.warewulfconf !== undefined ? { confPath: g.warewulfconf } : {}),
      ...(g.emptyconf ? { emptyConf: true } : {}),
      ...(io.stdin ? { stdin: io.stdin } : {}),
    });
  });
  try {
    await program.parseAsync(prepareArgv(args), { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return 0;
      if (err.code === 'commander.executeSubCommandAsync') return 0;
      io.err.write(`ERROR: ${err.message.replace(/^error: /, '')}\n`);
      return 255;
    }
    if (isWwError(err)) {
      io.err.write(`ERROR: ${err.message}\n`);
      if (err.hint) io.err.write(`hint: ${err.hint}\n`);
      if (debug && err.stack) io.err.write(`${err.stack}\n`);
      return 255;
    }
    const e = err as Error;
    io.err.write(`ERROR: ${e.message ?? String(err)}\n`);
    if (debug && e.stack) io.err.write(`${e.stack}\n`);
    else io.err.write('(this looks like a bug in wwctl; run with --debug for the stack trace and please report it)\n');
    return 255;
  }
}

const isMain = process.argv[1] !== undefined && /wwctl(\.js)?$|main\.js$/.test(process.argv[1]);
if (isMain) {
  runWwctl(process.argv.slice(2), { out: process.stdout, err: process.stderr, env: process.env, stdin: process.stdin }).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`ERROR: ${String(err)}\n`);
      process.exitCode = 255;
    },
  );
}
