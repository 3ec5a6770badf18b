/**
 * The shapes of `wwctl configure` (§1.9): what it is given, the plan it
 * makes (file changes and commands, shown by `--dry-run`) and what applying
 * the plan did.
 */
import type { Paths } from '../config/paths.js';
import type { WarewulfConf } from '../config/types.js';
import type { Logger } from '../log.js';
import type { MergedNode } from '../node/merge.js';
import type { ServiceManager } from './services.js';

/** The steps of §1.9, in the order `--all` runs them (`conf` persists auto-detected network values first). */
export const STEP_ORDER = ['conf', 'tls', 'warewulfd', 'tftp', 'dhcp', 'nfs', 'ssh', 'hostfile'] as const;
export type StepName = (typeof STEP_ORDER)[number];

/** The invoking user, for `configure ssh`'s `~/.ssh` (§1.9). */
export interface InvokingUser {
  uid: number;
  gid: number;
  /** Home directory as the system knows it (`/root`); relocated under WAREWULF_ROOT by configure. */
  home: string;
}

export interface ConfigureContext {
  /** warewulf.conf with auto-detected network values filled in (§3.3). */
  conf: WarewulfConf;
  paths: Paths;
  /** The server's hostname: the host overlay's pseudo node (§5.7). */
  hostname: string;
  /** Every node of nodes.conf (`.AllNodes` of the host overlay's templates). */
  nodes: () => Iterable<MergedNode>;
  log: Logger;
  user: InvokingUser;
  services: ServiceManager;
  /** Network values that were auto-detected (not in warewulf.conf): `--all` writes them to the file first. */
  detected?: Partial<Record<'ipaddr' | 'netmask' | 'network', string>>;
  /** Sprig's `now` and `.BuildTime` of the host overlay's templates. */
  now?: Date;
  /** Where ssh-keygen and openssl are (default: found on PATH). */
  tools?: { sshKeygen?: string; openssl?: string };
}

export interface StepOptions {
  /** `configure ssh -t`: key types instead of warewulf.conf's `ssh.key types`. */
  keyTypes?: readonly string[];
  /**
   * The step was asked for by name (`configure warewulfd`), not as part of
   * `--all`: its service is restarted even when no file of it changed, as
   * upstream always does; `--all` restarts only what changed or is down.
   */
  explicit?: boolean;
}

/** Ownership as numbers; absent = whoever runs configure (not managed). */
export interface Owner {
  uid: number;
  gid: number;
}

/** One change to one path, inside the output root. */
export interface FileChange {
  /** The host path written (symlinks on the way resolved, inside the root). */
  path: string;
  /** The real path of the root the change is confined to (`/` for `tls --export`'s directory). */
  root: string;
  /** The path as asked for (before resolving symlinks), for messages. */
  requested: string;
  kind: 'file' | 'symlink' | 'directory';
  /** create: nothing there; replace: different content, target or type; metadata: only mode or owner differ. */
  action: 'create' | 'replace' | 'metadata';
  mode: number;
  owner?: Owner;
  /** Set when the existing file is first copied to `<path>.wwbackup` (§5.6). */
  backup?: string;
  /** New content of a file. */
  content?: Buffer;
  /** Where a copied file comes from (TFTP binaries), for messages. */
  source?: string;
  /** Target of a symlink. */
  target?: string;
  /** Unified diff of a text file's change (empty for metadata-only changes and binary files). */
  diff: string;
  /** Binary content (no text diff). */
  binary: boolean;
  /** Readable by its owner only (a private key): its content is never put in a diff. */
  secret: boolean;
  /** What differs, for messages (`content`, `mode 0600 -> 0644`, `owner 1000:1000 -> 0:0`). */
  details: string[];
}

/** A command configure runs (ssh-keygen, openssl, systemctl), or would run. */
export interface PlannedCommand {
  argv: string[];
  /** Why it runs (`the host key ed25519 is missing`). */
  why: string;
  /** False when it cannot or must not run here; `skipped` says why. */
  runnable: boolean;
  skipped?: string;
  /** Paths the command creates (inside the root). */
  creates?: string[];
  /** @internal the work itself (runs the command, moves its results in place). */
  readonly exec?: () => Promise<void>;
}

export interface StepPlan {
  step: StepName;
  changes: FileChange[];
  /** Paths this step writes that an earlier step of the plan already changes (the host overlay of dhcp, nfs, ssh). */
  plannedEarlier: string[];
  commands: PlannedCommand[];
  /** Warnings worth showing with the plan (a missing iPXE binary, a service unit not installed...). */
  warnings: string[];
  /** Informational lines (`DHCP is not enabled in warewulf.conf`). */
  notes: string[];
}

export interface ConfigurePlan {
  /** The output root: `paths.root`, or `/`. */
  root: string;
  steps: StepPlan[];
}

export interface ConfigureReport {
  plan: ConfigurePlan;
  /** Files created, replaced or changed. */
  changed: number;
  /** Commands that ran. */
  ran: number;
  /** Commands planned but not run (systemd not running, WAREWULF_ROOT set). */
  notRun: number;
}
