/**
 * Simulated BMCs for tests: one OpenIPMI `ipmi_sim` per node on 127.0.0.1,
 * each on its own UDP port with its own user, password and power state
 * (the recipe of ../shared/e2e/README.md section F, written here so the
 * suite does not depend on that script). Power is emulated by the
 * simulator's `chassis_control` hook, a small sh script that keeps the state
 * in `DIR/PORT/power` (1/0) and logs every request to `events.log`; one
 * temperature sensor ("MB Temp") reads `DIR/PORT/mbtemp` every second.
 *
 * ipmitool must be called with `-C 3` (ipmi_sim 2.0.33 drops ipmitool
 * 1.8.19's cipher suite query, which costs 10 s per call otherwise).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, readlinkSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface BmcSpec {
  /** Default `admin`; 15 characters at most (ipmi_sim's reader cuts 16). */
  user?: string;
  /** Default `password`; 19 characters at most, no double quote. */
  password?: string;
  /** Power at start (default off). */
  power?: 'on' | 'off';
  /** The sensor's reading, degrees C (default 40). */
  mbtemp?: number;
  /** Serial over LAN: the BMC connects as a TCP client to 127.0.0.1:solPort, which plays the node's serial port. */
  solPort?: number;
}

export interface SimBmc {
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly dir: string;
  readonly pid: number;
  /** The power state the simulator reports, read from its state file (no IPMI traffic). */
  power(): 'on' | 'off';
  /** Change the power behind the BMC's back. */
  setPower(state: 'on' | 'off'): void;
  /** events.log lines without their timestamps: `power 1`, `reset`, `soft-off`, ... */
  events(): string[];
  /** The argument vector of ipmitool for this BMC (the password with -P: for test checks only). */
  ipmitoolArgs(...args: string[]): string[];
}

export interface BmcSim {
  readonly dir: string;
  readonly bmcs: SimBmc[];
  /** SIGTERM (SIGKILL after 5 s) to every simulator started here, then the directory is removed. */
  stop(): Promise<void>;
}

/** Why simulated BMCs cannot run here, or undefined when they can. */
export function bmcSimUnavailable(): string | undefined {
  const missing = ['ipmi_sim', 'sdrcomp', 'ipmitool'].filter((t) => spawnSync('sh', ['-c', `command -v ${t}`]).status !== 0);
  return missing.length === 0 ? undefined : `missing ${missing.join(', ')} (Debian packages openipmi, ipmitool)`;
}

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of live) c.kill('SIGKILL');
});

/** Start one simulated BMC per spec, on free UDP ports of 127.0.0.1. */
export async function startBmcs(specs: readonly BmcSpec[]): Promise<BmcSim> {
  const dir = mkdtempSync(join(tmpdir(), 'ww-bmc-'));
  const children: ChildProcess[] = [];
  const bmcs: SimBmc[] = [];
  const stop = async () => {
    await Promise.all(children.map(terminate));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (const spec of specs) {
      const { bmc, child } = await startOne(dir, spec);
      children.push(child);
      bmcs.push(bmc);
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { dir, bmcs, stop };
}

async function startOne(dir: string, spec: BmcSpec): Promise<{ bmc: SimBmc; child: ChildProcess }> {
  const user = spec.user ?? 'admin';
  const password = spec.password ?? 'password';
  if (user === '' || user.length > 15 || password.length > 19 || /["\n]/.test(user + password)) {
    throw new Error(`simulated BMC: user 1-15 and password 0-19 characters without quotes (got ${user.length}/${password.length})`);
  }
  let lastError: unknown;
  // a free port can be taken between the probe and ipmi_sim's bind: try a few
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freeUdpPort();
    const bdir = join(dir, String(port));
    writeConfig(bdir, port, user, password, spec);
    const log = openSync(join(bdir, 'ipmi_sim.log'), 'a');
    const child = spawn('ipmi_sim', ['-n', '-c', 'lan.conf', '-f', 'bmc.emu', '-s', 'state'], { cwd: bdir, stdio: ['ignore', log, log] });
    closeSync(log);
    live.add(child);
    child.once('exit', () => live.delete(child));
    try {
      await waitBound(child, port);
      const pid = child.pid as number;
      writeFileSync(join(bdir, 'ipmi_sim.pid'), `${pid}\n`);
      return { child, bmc: simBmc(bdir, port, user, password, pid) };
    } catch (err) {
      lastError = err;
      await terminate(child);
    }
  }
  throw lastError;
}

function simBmc(bdir: string, port: number, user: string, password: string, pid: number): SimBmc {
  return {
    port, user, password, pid, dir: bdir,
    power: () => (readFileSync(join(bdir, 'power'), 'utf8').trim() === '1' ? 'on' : 'off'),
    setPower(state) {
      writeFileSync(join(bdir, 'power.new'), state === 'on' ? '1\n' : '0\n');
      renameSync(join(bdir, 'power.new'), join(bdir, 'power'));
    },
    events() {
      let text = '';
      try {
        text = readFileSync(join(bdir, 'events.log'), 'utf8');
      } catch {
        return [];
      }
      return text.split('\n').filter((l) => l !== '').map((l) => l.replace(/^\S+ /, ''));
    },
    ipmitoolArgs: (...args) => ['-I', 'lanplus', '-C', '3', '-H', '127.0.0.1', '-p', String(port), '-U', user, '-P', password, ...args],
  };
}

function freeUdpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createSocket('udp4');
    s.once('error', reject);
    s.bind(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Until `child` has bound UDP 127.0.0.1:port (read from /proc: the socket's inode among the child's fds). */
async function waitBound(child: ChildProcess, port: number): Promise<void> {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null || child.signalCode !== null) break;
    const inodes = new Set<string>();
    for (const line of readFileSync('/proc/net/udp', 'utf8').split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f[1] === `0100007F:${hex}` && f[9] !== undefined) inodes.add(`socket:[${f[9]}]`);
    }
    if (inodes.size > 0) {
      try {
        const fdDir = `/proc/${child.pid}/fd`;
        if (readdirSync(fdDir).some((fd) => inodes.has(readlinkSafe(join(fdDir, fd))))) return;
      } catch {
        // the process is going away
      }
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`simulated BMC did not come up on 127.0.0.1:${port}`);
}

function readlinkSafe(p: string): string {
  try {
    return readlinkSync(p);
  } catch {
    return '';
  }
}

function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

function writeConfig(bdir: string, port: number, user: string, password: string, spec: BmcSpec): void {
  const name = `bmc${port}`;
  mkdirSync(join(bdir, 'state', 'ipmi_sim', name), { recursive: true });
  const lan = [
    `name "${name}"`,
    'set_working_mc 0x20',
    '  startlan 1',
    `    addr 127.0.0.1 ${port}`,
    '    priv_limit admin',
    ...['callback', 'user', 'operator', 'admin'].map((p) => `    allowed_auths_${p} none md2 md5 straight`),
    `    guid ${`e2eb3c00${port.toString(16).padStart(24, '0')}`}`,
    '  endlan',
    '  chassis_control "./chassis-control"',
    ...(spec.solPort !== undefined ? [`  sol "tcp:127.0.0.1:${spec.solPort}" 115200`] : []),
    `  user 2 true "${user}" "${password}" admin 10 none md2 md5 straight`,
  ];
  writeFileSync(join(bdir, 'lan.conf'), `${lan.join('\n')}\n`);
  writeFileSync(join(bdir, 'bmc.emu'), EMU);
  writeFileSync(join(bdir, 'bmc.sdrs'), sdrs(port));
  const sdr = spawnSync('sdrcomp', ['-o', join('state', 'ipmi_sim', name, 'sdr.20.main'), 'bmc.sdrs'], { cwd: bdir, encoding: 'utf8' });
  if (sdr.status !== 0) throw new Error(`sdrcomp failed: ${sdr.stderr || sdr.stdout}`);
  writeFileSync(join(bdir, 'chassis-control'), CHASSIS_CONTROL, { mode: 0o755 });
  writeFileSync(join(bdir, 'power'), spec.power === 'on' ? '1\n' : '0\n');
  writeFileSync(join(bdir, 'bootdev'), 'none\n');
  writeFileSync(join(bdir, 'mbtemp'), `${spec.mbtemp ?? 40}\n`);
}

const EMU = `mc_setbmc 0x20
mc_add 0x20 0 no-device-sdrs 0x23 9 8 0x9f 0x1291 0xf02 persist_sdr
sel_enable 0x20 1000 0x0a
sensor_add 0x20 0 1 0x01 0x01 poll 1000 file "mbtemp"
sensor_set_threshold 0x20 0 1 settable 111000 0x5a 0x50 0x46 00 00 00
mc_enable 0x20
`;

/** A BMC record (type 18) and one threshold temperature sensor (type 1), in sdrcomp's text format. */
const sdrs = (port: number) => `sdr type 18
	device_slave_address	0x20
	device_channel_number	0
	chassis			true
	ipmb_event_gen		false
	ipmb_event_recv		false
	fru_inventory		false
	sel			true
	sdr			true
	sensor			true
	entity_id		system_board
	entity_instance		1
	id_string		"BMC ${port}"
endsdr

sdr type 1
	sensor_owner_id		0x20
	sensor_owner_lun	0
	channel_number		0
	sensor_number		1
	entity_id		system_board
	entity_instance		1
	sensor_type		Temperature
	init_scanning		true
	init_sensor_type	true
	default_sensor_scan_on	true
	event_reading_type_code	1
	analog_data_format	unsigned
	rate_unit		none
	modifier_unit		none
	percentage		false
	base_unit		degrees_C
	modifier_unit_code	unspecified
	linearization		linear
	m			1
	tolerance		0
	b			0
	accuracy		1
	accuracy_exp		0
	sensor_direction	input
	r_exp			0
	b_exp			0
	sensor_maximum		255
	sensor_minimum		0
	id_string		"MB Temp"
endsdr
`;

/**
 * ipmi_sim runs this through /bin/sh in the BMC's directory: `get power|boot`
 * prints `power:1`, `boot:pxe`...; `set power 0|1`, `set reset 1`, `set
 * shutdown 1`, `set boot DEV`, `set identify "S F"`. A power cycle is `set
 * power 0`, then ipmi_sim polls `get power` and sends `set power 1`.
 */
const CHASSIS_CONTROL = `#!/bin/sh
op=$1
[ $# -gt 0 ] && shift
event() { echo "$(date +%Y-%m-%dT%H:%M:%S.%3N) $*" >> events.log; }
case $op in
  get)
    for p in "$@"; do
      case $p in
        power) echo "power:$(cat power 2>/dev/null || echo 0)" ;;
        boot) echo "boot:$(cat bootdev 2>/dev/null || echo none)" ;;
        *) echo "unsupported get: $p"; exit 1 ;;
      esac
    done ;;
  set)
    while [ $# -ge 2 ]; do
      case $1 in
        power) echo "$2" > power.new && mv -f power.new power; event "power $2" ;;
        reset) event "reset" ;;
        shutdown) echo 0 > power.new && mv -f power.new power; event "soft-off" ;;
        boot) echo "$2" > bootdev; event "bootdev $2" ;;
        identify) event "identify $2" ;;
        *) echo "unsupported set: $1"; exit 1 ;;
      esac
      shift 2
    done ;;
  *) echo "unsupported operation: $op"; exit 1 ;;
esac
`;
