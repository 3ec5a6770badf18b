/**
 * The command tree. Global flags as upstream's root command (§1.1); each
 * leaf lives in commands/<noun>/<verb>.ts and gets the context through a
 * getter, because the context depends on the global flags parsed first.
 */
import { Command, Option } from 'commander';
import type { Ctx } from './context.js';

type Make = (ctx: () => Ctx) => Command;

/**
 * The nouns, each loaded only when it is used: a command loads its own
 * noun's modules, not all 150 of wwctl's (start-up is most of what a
 * `node list` costs). `--help` and unknown words load them all.
 */
const NOUNS: readonly { names: readonly string[]; load: () => Promise<Make[]>; hidden?: true }[] = [
  { names: ['node', 'nodes'], load: async () => [(await import('./commands/node/index.js')).nodeCommand] },
  { names: ['profile'], load: async () => [(await import('./commands/profile/index.js')).profileCommand] },
  { names: ['overlay'], load: async () => [(await import('./commands/overlay/index.js')).overlayCommand] },
  { names: ['image', 'container', 'vnfs', 'kernel'], load: async () => { const m = await import('./commands/image/index.js'); return [m.imageCommand, m.kernelCommand]; } },
  { names: ['power'], load: async () => [(await import('./commands/power/power.js')).powerCommand] },
  { names: ['configure'], load: async () => [(await import('./commands/configure/index.js')).configureCommand] },
  { names: ['server'], load: async () => [(await import('./commands/server/index.js')).serverCommand] },
  { names: ['ssh'], load: async () => [(await import('./commands/ssh/ssh.js')).sshCommand] },
  { names: ['clean'], load: async () => [(await import('./commands/clean/clean.js')).cleanCommand] },
  { names: ['upgrade'], load: async () => [(await import('./commands/upgrade/index.js')).upgradeCommand] },
  { names: ['genconfig', 'cnf'], load: async () => [(await import('./commands/genconfig/index.js')).genconfigCommand], hidden: true },
  { names: ['version', 'vers'], load: async () => [(await import('./commands/version/version.js')).versionCommand] },
];

/** Global options that take a value (their value is not the noun). */
const GLOBAL_VALUE_FLAGS = new Set(['--loglevel', '--warewulfconf']);

/** The first word of argv that is not an option or an option's value. */
function nounOf(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--') return argv[i + 1];
    if (a.startsWith('-')) {
      if (GLOBAL_VALUE_FLAGS.has(a)) i++;
      continue;
    }
    return a;
  }
  return undefined;
}

export interface GlobalOpts {
  verbose?: boolean;
  debug?: boolean;
  loglevel?: string;
  warewulfconf?: string;
  emptyconf?: boolean;
}

/**
 * The command tree for `argv`: the global flags (§1.1) and the commands of
 * the noun argv names (every noun when it names none or an unknown one).
 */
export async function buildProgram(ctx: () => Ctx, argv: readonly string[] = []): Promise<Command> {
  const program = new Command('wwctl')
    .description('Control interface to the cluster: nodes, profiles, images, overlays')
    .option('-v, --verbose', 'run with increased verbosity')
    .option('-d, --debug', 'run with debugging messages and stack traces')
    .addOption(new Option('--loglevel <level>', 'numeric log level').hideHelp())
    .option('--warewulfconf <file>', 'use an alternate warewulf.conf (also $WAREWULFCONF)')
    .addOption(new Option('--emptyconf', 'do not read warewulf.conf').hideHelp())
    .showSuggestionAfterError(true);
  const noun = nounOf(argv);
  const wanted = NOUNS.filter((n) => noun !== undefined && n.names.includes(noun));
  for (const n of wanted.length > 0 ? wanted : NOUNS) {
    for (const make of await n.load()) program.addCommand(make(ctx), n.hidden ? { hidden: true } : {});
  }
  if (wanted.length === 0) {
    // `wwctl --version` (§1.10); read only when no noun is named, as it costs a file read
    const { versionLine } = await import('./commands/version/version.js');
    program.version(await versionLine(), '--version', 'print the version');
  }
  return program;
}

/** Apply `exitOverride` and quiet error output on every command (commander sets them per command). */
export function forEachCommand(cmd: Command, fn: (c: Command) => void): void {
  fn(cmd);
  for (const sub of cmd.commands) forEachCommand(sub, fn);
}
