/** `wwctl image import SOURCE [NAME]` (alias pull; §1.5, §6.1). */
import { Command, Option } from 'commander';
/** Loaded on first use: wwctl's start-up stays lean for every other command. */
const imageMod = () => import('@warewulf/core/image');
import type { Ctx } from '../../context.js';
import { progressSink } from '../../output/progress.js';
import { interruptible } from './common.js';

interface Opts {
  force?: boolean;
  update?: boolean;
  build?: boolean;
  syncuser?: boolean;
  nohttps?: boolean;
  username?: string;
  password?: string;
  passwd?: string;
  platform?: string;
  arch?: string;
  setdefault?: boolean;
}

export function imageImportCommand(ctx: () => Ctx): Command {
  return new Command('import')
    .alias('pull')
    .summary('Import an image from a registry, an archive or a chroot directory')
    .argument('<source>', 'docker://HOST/REPO:TAG[@sha256:...], oci-archive:PATH[:REF], docker-archive:PATH[:REF], file://PATH, an archive file or a chroot directory')
    .argument('[name]', 'image name (default: the last path element of SOURCE)')
    .option('-f, --force', 'replace an existing image of that name')
    .option('-u, --update', 'unpack over an existing image')
    .option('-b, --build', 'build the image after importing')
    .option('--syncuser', 'synchronize uids/gids with the server after importing')
    .option('--nohttps', 'skip TLS verification and allow plain HTTP (also $WAREWULF_OCI_NOHTTPS)')
    .option('--username <name>', 'registry user name (also $WAREWULF_OCI_USERNAME)')
    .option('--password <password>', 'registry password (also $WAREWULF_OCI_PASSWORD)')
    .addOption(new Option('--passwd <password>').hideHelp())
    .option('--platform <platform>', 'platform to pick from a multi-arch image: ARCH or OS/ARCH[/VARIANT] (also $WAREWULF_OCI_PLATFORM)')
    .addOption(new Option('--arch <platform>').hideHelp())
    .addOption(new Option('--setdefault', 'set the image on profile default (4.3)').hideHelp())
    .action(async (source: string, name: string | undefined, opts: Opts) => {
      const c = ctx();
      const { paths } = await c.load();
      const progress = progressSink(c);
      const { importImage } = await imageMod();
      try {
        const r = await interruptible((signal) =>
          importImage(paths, source, {
            name,
            force: opts.force,
            update: opts.update,
            build: opts.build,
            syncuser: opts.syncuser,
            nohttps: opts.nohttps,
            username: opts.username,
            password: opts.password ?? opts.passwd,
            platform: opts.platform ?? opts.arch,
            env: c.env,
            log: c.log,
            signal,
            onProgress: (e) => progress.pull(e),
          }),
        );
        progress.stop();
        c.log.verbose(`Imported image ${r.name} from ${source} (${r.kind}${r.id ? `, ${r.id}` : ''})`);
        if (opts.setdefault) {
          await (await imageMod()).setDefaultProfileImage(paths, r.name);
          c.log.info(`Set default profile to image: ${r.name}`);
        }
      } finally {
        progress.stop();
      }
    });
}
