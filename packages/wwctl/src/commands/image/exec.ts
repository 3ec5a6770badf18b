/** `wwctl image exec IMAGE COMMAND...` and `image shell IMAGE` (alias chroot; §1.5, §6.6). */
import { Command, Option } from 'commander';
import { WwError } from '@warewulf/core';
import type { BindSpec, ExecStdio } from '@warewulf/core/image';
/** Loaded on first use: wwctl's start-up stays lean for every other command. */
const imageMod = () => import('@warewulf/core/image');
import type { Ctx } from '../../context.js';
import { boolValue } from './common.js';

interface Opts {
  /** As given; parsed (and refused with the bad one named) when the command runs. */
  bind?: string[];
  syncuser?: boolean;
  build: boolean;
  node?: string;
}

function withExecOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('-b, --bind <src[:dst[:ro|copy]]>', 'bind-mount a host path into the image (repeatable)').argParser((v: string, prev: string[] | undefined) => [...(prev ?? []), v]))
    .option('--syncuser', 'check uid/gid sync afterwards when passwd/group changed')
    .addOption(new Option('--build [bool]', 'build the image afterwards when it changed (default true)').argParser(boolValue('build')).default(true))
    .option('-n, --node <node>', "mount the node's rendered overlays read-only over the image");
}

/**
 * The command's streams: wwctl's own descriptors when they are the process's
 * (the CLI: a terminal, a pipe or a file, passed as they are, so a shell is
 * interactive, `< setup.sh` is read by the command and binary output stays
 * byte for byte), else (wwctl run in process, as by the tests) stdin piped in
 * and the output written to the context's writers.
 */
function commandStdio(c: Ctx): ExecStdio {
  const fd = (s: unknown) => (s as { fd?: unknown }).fd;
  return {
    in: fd(c.stdin) === 0 ? 'inherit' : c.stdin,
    out: fd(c.out) === 1 ? 'inherit' : { write: (d: Buffer) => c.out.write(d.toString()) },
    err: fd(c.err) === 2 ? 'inherit' : { write: (d: Buffer) => c.err.write(d.toString()) },
  };
}

async function run(c: Ctx, name: string, command: string[], opts: Opts): Promise<void> {
  if (opts.node !== undefined) {
    throw new WwError('WW_ERR_USAGE', '--node is not supported yet: it needs the overlay builder to render system and runtime overlays');
  }
  const { conf, paths } = await c.load();
  const { execInImage, parseBindSpec } = await imageMod();
  const binds: BindSpec[] = (opts.bind ?? []).map(parseBindSpec);
  await execInImage(paths, name, command, {
    binds,
    imageMounts: conf.imageMounts,
    syncuser: opts.syncuser === true,
    build: opts.build,
    env: c.env,
    log: c.log,
    stdio: commandStdio(c),
  });
}

export function imageExecCommand(ctx: () => Ctx): Command {
  return withExecOptions(
    new Command('exec')
      .summary('Run a command inside an image (rebuilt afterwards when it changed)')
      .argument('<image>', 'image name')
      .argument('<command...>', 'command and its arguments (unknown flags are passed on; use -- before the command to pass everything)')
      .allowUnknownOption(),
  ).action(async (name: string, command: string[], opts: Opts) => {
    const c = ctx();
    await run(c, name, command, opts);
  });
}

export function imageShellCommand(ctx: () => Ctx): Command {
  return withExecOptions(
    new Command('shell').alias('chroot').summary('Run a shell inside an image').argument('<image>', 'image name'),
  ).action(async (name: string, opts: Opts) => {
    const c = ctx();
    const { paths } = await c.load();
    const sh = await (await imageMod()).imageShell(paths, name, c.env);
    c.log.info('Image build will be skipped if the shell ends with a non-zero exit code.');
    await run(c, name, [sh], opts);
  });
}
