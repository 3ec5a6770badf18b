/**
 * BMC command templates (§1.8): a node's `ipmi.template` is a Go template
 * that renders, per node and action, the command reaching the node's BMC.
 * Upstream hands the text to `/bin/sh -c`; here it is split into words as a
 * shell would (quotes, backslashes; the shell-quote library) and run without
 * a shell, so a BMC password or user name can never be interpreted by one.
 *
 * The IPMI password never enters the argument vector: the template is
 * rendered with a random placeholder in `.Password`; the `-P <placeholder>`
 * pair of an ipmitool command becomes `-E` and the password travels in the
 * child's environment (IPMI_PASSWORD). A template that puts the placeholder
 * anywhere else is refused. What is shown to people (`--show`) is the
 * rendered text with the placeholder masked.
 */
import { randomBytes } from 'node:crypto';
import { access, readFile } from 'node:fs/promises';
import { basename, isAbsolute, relative, resolve } from 'node:path';
import { parseTemplate, type Template } from '@warewulf/gotemplate';
import { parse as shellWords } from 'shell-quote';
import { WwError, isErrnoCode } from '../errors.js';
import type { BmcCmd } from './commands.js';
import { IpmiData, ip, wwbool } from '../overlay/template-data.js';
import type { BmcTarget, IpmiSettings } from './targets.js';

import { SHIPPED_BMC_DIR } from '../shipped.js';
export { SHIPPED_BMC_DIR };

/** Shown instead of the password. */
export const PASSWORD_MASK = '********';

/**
 * What a BMC template sees: the node's merged ipmi fields promoted to the top
 * (`.Ipaddr`, `.UserName`, `.Password`, `.Port`, `.Interface`, `.EscapeChar`,
 * `.Tags`, ...) and `.Cmd`; also `.Id` (node name) and `.Hwaddr` (primary
 * network device), which upstream's data lacks, for templates like nobmc.tmpl.
 * A class, so a misspelt field fails as in Go.
 */
export class BmcTemplateData extends IpmiData {
  constructor(
    readonly Id: string,
    readonly Cmd: BmcCmd,
    readonly Hwaddr: string,
    ipmi: IpmiSettings,
  ) {
    super(
      // the overlays' types (IP prints `<nil>` when unset, WWbool has .Bool), so BMC templates read fields as overlays do
      ipmi.UserName, ipmi.Password, ip(ipmi.Ipaddr), ip(ipmi.Gateway), ip(ipmi.Netmask), ipmi.Port, ipmi.Interface, ipmi.EscapeChar,
      wwbool(ipmi.Write), ipmi.Template, { ...ipmi.Tags },
    );
  }
}

/** A command ready to run: never contains the password. */
export interface BmcInvocation {
  /** Program and arguments, run without a shell. */
  readonly argv: readonly string[];
  /** Added to the child's environment (the password, when there is one). */
  readonly env: Readonly<Record<string, string>>;
  /** The rendered command line with the password masked, for `--show` and messages. */
  readonly display: string;
  /** The template file used. */
  readonly template: string;
}

/**
 * Template lookup and parse cache for one batch. Relative names resolve in
 * `bmcDir` (`<datadir>/warewulf/bmc`, §0.1), falling back to the shipped copy
 * when the installed one is missing (a tree that was never installed);
 * absolute paths are used as they are. Each file is parsed once.
 */
export class BmcTemplates {
  private readonly parsed = new Map<string, Promise<Template>>();
  /** Random per batch, so no password and no template text can collide with it. */
  private readonly placeholder = `WWBMCPASSWORD${randomBytes(12).toString('hex')}`;

  constructor(
    private readonly bmcDir: string,
    private readonly shippedDir: string = SHIPPED_BMC_DIR,
  ) {}

  /**
   * The file `name` refers to. Throws WW_ERR_BMC_TEMPLATE for an empty name
   * (`no bmc template specified`, as upstream) or a relative name leaving
   * the template directory.
   */
  async resolve(name: string): Promise<string> {
    if (name === '') throw new WwError('WW_ERR_BMC_TEMPLATE', 'no bmc template specified', { hint: 'set one with --ipmitemplate, e.g. ipmitool.tmpl' });
    if (isAbsolute(name)) return name;
    const inDir = (dir: string) => {
      const p = resolve(dir, name);
      const rel = relative(dir, p);
      if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) {
        throw new WwError('WW_ERR_BMC_TEMPLATE', `bmc template ${JSON.stringify(name)} is outside ${dir}`);
      }
      return p;
    };
    const installed = inDir(this.bmcDir);
    if (await exists(installed)) return installed;
    const shipped = inDir(this.shippedDir);
    return (await exists(shipped)) ? shipped : installed;
  }

  private load(path: string): Promise<Template> {
    let t = this.parsed.get(path);
    if (!t) {
      t = readFile(path, 'utf8').then(
        (text) => {
          try {
            return parseTemplate(path, text);
          } catch (err) {
            throw new WwError('WW_ERR_BMC_TEMPLATE', (err as Error).message, { cause: err });
          }
        },
        (err: unknown) => {
          const why = isErrnoCode(err, 'ENOENT') ? 'not found' : (err as Error).message;
          throw new WwError('WW_ERR_BMC_TEMPLATE', `bmc template ${path}: ${why}`, { cause: err });
        },
      );
      this.parsed.set(path, t);
    }
    return t;
  }

  /**
   * Render `cmd` for `target` (§1.8) and turn it into an argument vector.
   * Throws WW_ERR_BMC_TEMPLATE when the template is missing or fails, renders
   * nothing, uses shell syntax (pipes, redirections, `;`, `&&` ...), or puts
   * the password anywhere but after ipmitool's `-P`.
   */
  async invocation(target: BmcTarget, cmd: BmcCmd): Promise<BmcInvocation> {
    const path = await this.resolve(target.ipmi.Template);
    const template = await this.load(path);
    const i = target.ipmi;
    const data = new BmcTemplateData(target.node, cmd, target.hwaddr, { ...i, Password: i.Password === '' ? '' : this.placeholder });
    let text: string;
    try {
      text = template.execute(data).trim();
    } catch (err) {
      throw new WwError('WW_ERR_BMC_TEMPLATE', (err as Error).message, { cause: err });
    }
    const display = text.split(this.placeholder).join(PASSWORD_MASK);
    if (text === '') throw new WwError('WW_ERR_BMC_TEMPLATE', `bmc template ${path} renders no command for ${cmd}`);
    const argv = this.words(text, path);
    for (let k = 0; k < argv.length; k++) {
      const word = argv[k] as string;
      if (!word.includes(this.placeholder)) continue;
      if (word === this.placeholder && argv[k - 1] === '-P' && basename(argv[0] as string) === 'ipmitool') {
        argv.splice(k - 1, 2, '-E');
        k--;
        continue;
      }
      throw new WwError('WW_ERR_BMC_TEMPLATE', `bmc template ${path} puts the IPMI password on the command line (${display})`, {
        hint: 'only ipmitool\'s -P "{{ .Password }}" is accepted; it is passed as -E through the environment',
      });
    }
    const env: Record<string, string> = i.Password === '' ? {} : { IPMI_PASSWORD: i.Password, IPMITOOL_PASSWORD: i.Password };
    return { argv, env, display, template: path };
  }

  /** Shell-style word splitting without expansion: `$X` stays literal, operators are refused. */
  private words(text: string, path: string): string[] {
    const out: string[] = [];
    for (const w of shellWords(text, (key) => `$${key}`)) {
      if (typeof w === 'string') out.push(w);
      else if ('op' in w && w.op === 'glob') out.push(w.pattern);
      else if ('op' in w) {
        throw new WwError('WW_ERR_BMC_TEMPLATE', `bmc template ${path}: shell operator ${JSON.stringify(w.op)} in the rendered command; BMC commands run without a shell`);
      }
      // comments ('#' words) are dropped, as a shell would
    }
    return out;
  }
}

async function exists(p: string): Promise<boolean> {
  try {
    await access(p);
    return true;
  } catch {
    return false;
  }
}
