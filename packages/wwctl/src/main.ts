/**
 * The only place that exits. Errors print as `ERROR: message` (a hint on the
 * next line; the stack only with --debug) and exit 255, as upstream's wwctl.
 */
import { CommanderError, type Command } from 'commander';
import { toWwError } from '@warewulf/core';
import { createCtx, type Ctx } from './context.js';
import { BOOL_FLAGS, rewriteBoolFlag } from './field-flags.js';
import { buildProgram, forEachCommand, type GlobalOpts } from './program.js';
import { LEVELS, createWwlog } from './wwlog.js';

const ADD_SET = new Set(['add', 'new', 'create', 'set', 'modify']);
/** What a bool flag's separate argument may be to count as its value. */
const BOOL_WORDS = /^(true|false|yes|no|on|off|UNDEF|UNSET)$/i;

/**
 * Flags (long and short spellings) of a command that take a value: `required`
 * ones (`--ipaddr <ip>`) take the next argument whatever it is; `optional`
 * ones (`--netdel [name]`) only one that does not look like an option.
 */
function valueFlags(cmd: Command): Map<string, 'required' | 'optional'> {
  const out = new Map<string, 'required' | 'optional'>();
  for (const o of cmd.options) {
    if (!o.required && !o.optional) continue;
    const how = o.required ? 'required' : 'optional';
    if (o.long) out.set(o.long, how);
    if (o.short) out.set(o.short, how);
  }
  return out;
}

/** Does the command itself declare this flag (long or short)? */
function hasFlag(cmd: Command, flag: string): boolean {
  return cmd.options.some((o) => o.long === flag || o.short === flag);
}

/**
 * Walk the arguments as commander will, knowing which options take a value,
 * so that a value is never mistaken for a flag or a command word
 * (`--ipmipass -e` stores "-e"; `--warewulfconf FILE node set` finds `node
 * set`), and rewrite pflag-style bare bool flags (`--onboot`) of `node|profile
 * add|set` to `--onboot=true`.
 */
function prepareArgv(program: Command, args: readonly string[]): string[] {
  let cmd = program;
  let takes = valueFlags(program);
  const words: string[] = [];
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (a === '--') {
      out.push(...args.slice(i));
      break;
    }
    if (a.startsWith('-') && a !== '-') {
      const fieldCmd = ['node', 'nodes', 'profile'].includes(words[0] ?? '') && ADD_SET.has(words[1] ?? '');
      // a bool flag the command lacks (`profile set --discoverable`, node-only) stays as typed, for commander to name
      if (fieldCmd && BOOL_FLAGS.has(a) && hasFlag(cmd, a)) {
        // `--discoverable false`: the word is the flag's value, never a node named "false"
        const next = args[i + 1];
        if (next !== undefined && BOOL_WORDS.test(next)) {
          out.push(rewriteBoolFlag(a, next));
          i++;
        } else out.push(rewriteBoolFlag(a));
        continue;
      }
      out.push(a);
      // the next argument is this option's value, verbatim, whatever it looks like (an optional value: unless it looks like an option)
      const how = a.includes('=') ? undefined : takes.get(a);
      const next = args[i + 1];
      if (next !== undefined && (how === 'required' || (how === 'optional' && !(next.startsWith('-') && next !== '-')))) {
        out.push(next);
        i++;
      }
      continue;
    }
    out.push(a);
    const sub = cmd.commands.find((c) => c.name() === a || c.aliases().includes(a));
    if (sub) {
      words.push(sub.name() === 'nodes' ? 'node' : a);
      cmd = sub;
      takes = new Map([...takes, ...valueFlags(sub)]);
    }
  }
  return out;
}

export async function runWwctl(
  args: string[],
  io: { out: NodeJS.WritableStream; err: NodeJS.WritableStream; env: NodeJS.ProcessEnv; stdin?: NodeJS.ReadableStream },
): Promise<number> {
  let debug = args.includes('-d') || args.includes('--debug');
  let ctx: Ctx | undefined;
  const program = await buildProgram(() => {
    if (!ctx) throw new Error('context used before the global flags were parsed');
    return ctx;
  }, args);
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
    await program.parseAsync(prepareArgv(program, args), { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return 0;
      if (err.code === 'commander.executeSubCommandAsync') return 0;
      io.err.write(`ERROR: ${err.message.replace(/^error: /, '')}\n`);
      return 255;
    }
    // WwErrors, and the errors of the libraries below core mapped to theirs (template, cpio, OCI, file system)
    const ww = toWwError(err);
    if (ww) {
      io.err.write(`ERROR: ${ww.message}\n`);
      if (ww.hint) io.err.write(`hint: ${ww.hint}\n`);
      if (debug && ww.stack) io.err.write(`${ww.stack}\n`);
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
  // `wwctl node list | head`: a closed pipe ends the output quietly, as for any Unix tool
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw err;
    });
  }
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
