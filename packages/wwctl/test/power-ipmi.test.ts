/**
 * Issue 12's BMC acceptance list against real simulated BMCs: OpenIPMI's
 * ipmi_sim on 127.0.0.1, one per node, each with its own user and password,
 * driven by wwctl through the shipped ipmitool.tmpl and the real ipmitool.
 * The nodes use ipmi tags cipher=3 (ipmi_sim 2.0.33 needs it, see
 * ../shared/e2e/README.md section F) and retries=1 (an unreachable BMC fails
 * in 2 s, not 20 s).
 */
import { spawn } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { readFileSync, readdirSync } from 'node:fs';
import { createServer, type Server, type Socket as TcpSocket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WWCTL_BIN, bmcSimUnavailable, makeRoot, startBmcs, wwctl, wwctlProcess, type BmcSim, type SimBmc } from '@warewulf/testenv';

const unavailable = bmcSimUnavailable();
const PASSWORDS = ['pw-alpha-1', 'pw-bravo-22', 'pw-charlie-333'];
const WRONG = 'pw-wrong-4444';
const DEAD = 'pw-dead-55555';
const ALL_SECRETS = [...PASSWORDS, WRONG, DEAD];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until<T>(what: string, fn: () => T | undefined | false | Promise<T | undefined | false>, ms = 8000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

function boundUdp(): Promise<Socket> {
  return new Promise((resolve) => {
    const s = createSocket('udp4');
    s.bind(0, '127.0.0.1', () => resolve(s));
  });
}

describe.skipIf(unavailable !== undefined)(`wwctl power / node sensors / node console against ipmi_sim${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  let sim: BmcSim;
  let bmc: SimBmc[];
  /** A UDP port held open by the test: a BMC address where nothing answers. */
  let dead: Socket;

  beforeAll(async () => {
    sim = await startBmcs(PASSWORDS.map((password, k) => ({ user: `bmc-user-${k + 1}`, password, mbtemp: 41 + 11 * k })));
    bmc = sim.bmcs;
    dead = await boundUdp();
  }, 60_000);
  afterAll(async () => {
    dead?.close();
    await sim?.stop();
  });

  const conf = () => `nodeprofiles:
  default:
    ipmi:
      template: ipmitool.tmpl
      interface: lanplus
      tags:
        cipher: "3"
        retries: "1"
nodes:
${bmc.map((b, k) => `  n${k + 1}:
    ipmi: {ipaddr: 127.0.0.1, port: "${b.port}", username: ${b.user}, password: ${b.password}}
`).join('')}  n4:
    comment: no BMC address
  wrongpw:
    ipmi: {ipaddr: 127.0.0.1, port: "${bmc[0]?.port}", username: ${bmc[0]?.user}, password: ${WRONG}}
  deadbmc:
    ipmi: {ipaddr: 127.0.0.1, port: "${dead.address().port}", username: nobody, password: ${DEAD}}
`;
  const setAll = (...states: ('on' | 'off')[]) => states.forEach((s, k) => bmc[k]?.setPower(s));
  const powers = () => bmc.map((b) => b.power());
  /** Table rows as [node, result]. */
  const rows = (stdout: string) => stdout.trim().split('\n').slice(2).map((l) => {
    const [node, , ...rest] = l.split(/\s{2,}/);
    return [node, rest.join('  ')];
  });

  it('power status n[1-3] shows each node\'s own state', async () => {
    const t = makeRoot(conf());
    setAll('off', 'on', 'off');
    const r = await wwctl(t, 'power', 'status', '--table', 'n[1-3]');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split('\n').slice(0, 2)).toEqual(['NODE  IPMI IPADDR  RESULT', '----  -----------  ------']);
    expect(rows(r.stdout)).toEqual([['n1', 'Chassis Power is off'], ['n2', 'Chassis Power is on'], ['n3', 'Chassis Power is off']]);
    setAll('on', 'off', 'on');
    expect(rows((await wwctl(t, 'power', 'status', '--table', 'n[1-3]')).stdout).map((x) => x[1])).toEqual(['Chassis Power is on', 'Chassis Power is off', 'Chassis Power is on']);
  });

  it('power status prints upstream\'s `<ipmi ipaddr>: <output>` lines by default (failures on stderr)', async () => {
    const t = makeRoot(conf());
    setAll('off', 'on', 'off');
    const r = await wwctl(t, 'power', 'status', 'n[1-2],wrongpw');
    expect(r.code).toBe(255);
    expect(r.stdout).toBe('127.0.0.1: Chassis Power is off\n127.0.0.1: Chassis Power is on\n');
    expect(r.stderr).toContain('ERROR  : wrongpw: Error: Unable to establish IPMI v2 / RMCP+ session\n');
  });

  it('power on n2 changes only n2\'s simulator', async () => {
    const t = makeRoot(conf());
    setAll('off', 'off', 'off');
    const before = bmc.map((b) => b.events().length);
    const r = await wwctl(t, 'power', 'on', '--table', 'n2');
    expect(r.code, r.stderr).toBe(0);
    expect(rows(r.stdout)).toEqual([['n2', 'Chassis Power Control: Up/On']]);
    expect(powers()).toEqual(['off', 'on', 'off']);
    expect(bmc.map((b, k) => b.events().slice(before[k]))).toEqual([[], ['power 1'], []]);
  });

  it('power cycle and power off work', async () => {
    const t = makeRoot(conf());
    setAll('on', 'on', 'off');
    const before = bmc[0]!.events().length;
    const cycle = await wwctl(t, 'power', 'cycle', '--table', 'n1');
    expect(cycle.code, cycle.stderr).toBe(0);
    expect(rows(cycle.stdout)).toEqual([['n1', 'Chassis Power Control: Cycle']]);
    // off at once, on again about a second later (the simulator's cycle)
    await until('n1 back on after the cycle', () => bmc[0]!.events().slice(before).join(',') === 'power 0,power 1');
    expect(bmc[0]!.power()).toBe('on');
    const off = await wwctl(t, 'power', 'off', '--table', 'n[1-2]');
    expect(off.code, off.stderr).toBe(0);
    expect(rows(off.stdout)).toEqual([['n1', 'Chassis Power Control: Down/Off'], ['n2', 'Chassis Power Control: Down/Off']]);
    expect(powers()).toEqual(['off', 'off', 'off']);
  });

  it('power on with no node named is refused and touches no BMC', async () => {
    const t = makeRoot(conf());
    setAll('off', 'off', 'off');
    const before = bmc.map((b) => b.events().length);
    for (const args of [['power', 'on'], ['power', 'reset', ''], ['node', 'sensors'], ['node', 'console']]) {
      const r = await wwctl(t, ...args);
      expect(r.code, args.join(' ')).toBe(255);
      expect(r.stderr).toMatch(/^ERROR: no node named: BMC commands act only on the nodes named on the command line\n/);
      expect(r.stdout).toBe('');
    }
    expect(bmc.map((b) => b.events().length)).toEqual(before);
    expect(powers()).toEqual(['off', 'off', 'off']);
  });

  it('a node without a BMC address is reported and skipped, the others still run', async () => {
    const t = makeRoot(conf());
    setAll('off', 'off', 'off');
    const r = await wwctl(t, 'power', 'on', '--table', 'n4,n3,nosuch');
    expect(r.code).toBe(255);
    expect(rows(r.stdout)).toEqual([['n4', 'ERROR: No IPMI IP address'], ['n3', 'Chassis Power Control: Up/On']]);
    expect(r.stderr).toContain('ERROR  : n4: No IPMI IP address\n');
    expect(r.stderr).toContain('ERROR  : nosuch: no such node\n');
    expect(r.stderr).toContain('ERROR: power on failed on 2 of 3 node(s): n4, nosuch\n');
    expect(powers()).toEqual(['off', 'off', 'on']);
    const show = await wwctl(t, 'power', 'on', '--show', 'n4');
    expect(show.stdout).toBe('');
    expect(show.stdout + show.stderr).not.toContain('-H');
  });

  it('a wrong password is a clear per-node error; the other nodes are answered', async () => {
    const t = makeRoot(conf());
    setAll('on', 'off', 'off');
    const r = await wwctl(t, 'power', 'status', '--table', 'n1,wrongpw');
    expect(r.code).toBe(255);
    expect(rows(r.stdout)).toEqual([['n1', 'Chassis Power is on'], ['wrongpw', 'ERROR: Unable to establish IPMI v2 / RMCP+ session']]);
    expect(r.stderr).toContain('ERROR  : wrongpw: Error: Unable to establish IPMI v2 / RMCP+ session\n');
    const json = JSON.parse((await wwctl(t, 'power', 'status', '--json', 'wrongpw')).stdout) as { node: string; status: string; ok: boolean; error: string }[];
    expect(json).toMatchObject([{ node: 'wrongpw', status: 'failed', ok: false, error: 'Error: Unable to establish IPMI v2 / RMCP+ session' }]);
  });

  it('the password never shows in output, logs, errors or the process list during the call', async () => {
    const t = makeRoot(conf());
    setAll('off', 'on', 'off');
    // the real binary, debug logging; deadbmc keeps its ipmitool alive for about 2 s
    const run = wwctlProcess(t, ['-d', 'power', 'status', '--table', 'n[1-3],wrongpw,deadbmc']);
    let finished = false;
    void run.done.then(() => (finished = true));
    const seen = new Map<number, string>();
    let samples = 0;
    while (!finished) {
      for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
        let cmdline: string;
        try {
          cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
        } catch {
          continue; // gone meanwhile
        }
        for (const s of ALL_SECRETS) expect(cmdline, `process ${pid}`).not.toContain(s);
        if (cmdline.startsWith('ipmitool ')) seen.set(Number(pid), cmdline);
      }
      samples++;
      await sleep(5);
    }
    const r = await run.done;
    expect(r.code).toBe(255);
    expect(rows(r.stdout).map((x) => x[0])).toEqual(['n1', 'n2', 'n3', 'wrongpw', 'deadbmc']);
    expect(rows(r.stdout)[1]).toEqual(['n2', 'Chassis Power is on']);
    for (const s of ALL_SECRETS) expect(r.stdout + r.stderr).not.toContain(s);
    // the sampling did see ipmitool at work, with -E in place of -P
    const deadCalls = [...seen.values()].filter((c) => c.includes(` -p ${dead.address().port} `));
    expect(deadCalls.length, `${samples} samples: ${[...seen.values()].join('\n')}`).toBeGreaterThan(0);
    for (const c of seen.values()) {
      expect(c).toContain(' -E ');
      expect(c).not.toContain(' -P ');
    }
    // --show and --json mask it too
    const show = await wwctl(t, 'power', 'on', '--show', 'n[1-3]');
    expect(show.stdout.split('\n')[0]).toBe(`127.0.0.1: ipmitool -I lanplus -C 3 -R 1 -p ${bmc[0]!.port} -H 127.0.0.1 -U "bmc-user-1" -P "********" chassis power on`);
    const json = await wwctl(t, 'power', 'status', '--json', 'n1');
    for (const s of ALL_SECRETS) expect(show.stdout + show.stderr + json.stdout + json.stderr).not.toContain(s);
  });

  it('node sensors returns each BMC\'s readings (sdr list; --full: sensor list)', async () => {
    const t = makeRoot(conf());
    // the simulator reads its mbtemp file every second: wait for the values set at start
    const want = ['41', '52', '63'].map((v) => `127.0.0.1: MB Temp          | ${v} degrees C      | ok`);
    let last = '';
    await until('the sensor readings', async () => {
      const x = await wwctl(t, 'node', 'sensors', 'n[1-3]');
      expect(x.code, x.stderr).toBe(0);
      last = x.stdout;
      return x.stdout === `${want.join('\n')}\n`;
    }).catch(() => expect(last).toBe(`${want.join('\n')}\n`));
    const full = await wwctl(t, 'node', 'sensors', '--full', 'n2');
    expect(full.code, full.stderr).toBe(0);
    expect(full.stdout).toMatch(/^127\.0\.0\.1: MB Temp\s+\| 52\.000\s+\| degrees C\s+\| ok\s+\| na\s+\| na\s+\| na\s+\| 70\.000\s+\| 80\.000\s+\| 90\.000\n$/);
  });

  it('node console attaches to the node\'s serial port over SOL, and refuses a node without address', { timeout: 60_000 }, async () => {
    // the node's serial port: a TCP server the BMC connects to; it answers each input
    const got: string[] = [];
    let serial: TcpSocket | undefined;
    const server: Server = createServer((s) => {
      serial = s;
      s.on('data', (d) => {
        got.push(d.toString());
        s.write(`[console got ${JSON.stringify(d.toString())}]\r\nn1 login: `);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const solPort = (server.address() as { port: number }).port;
    const solSim = await startBmcs([{ user: 'sol-user', password: 'pw-sol-6', solPort }]);
    try {
      const b = solSim.bmcs[0]!;
      const t = makeRoot(`${conf()}  s1:
    ipmi: {ipaddr: 127.0.0.1, port: "${b.port}", username: sol-user, password: pw-sol-6}
`);
      await until('the BMC connecting to the serial port', () => serial !== undefined);
      const child = spawn(process.execPath, [WWCTL_BIN, 'node', 'console', 's1'], { env: t.env, stdio: ['pipe', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      const exit = new Promise<number | null>((r) => child.on('close', r));
      // ipmitool's stdout is a pipe here, so its "SOL Session operational" banner is
      // buffered: type until the serial side receives it (stdin waits in the pipe)
      await until('the console seeing the input', async () => {
        child.stdin.write('root\r');
        for (let i = 0; i < 40 && !got.join('').includes('root'); i++) await sleep(50);
        return got.join('').includes('root');
      }, 15_000);
      await until('the console answer', () => out.includes('n1 login:'));
      child.stdin.write('~.');
      expect(await exit).toBe(0);
      expect(out).toContain('[SOL Session operational');
      expect(out).toContain('[console got "root\\r"]');
      expect(out).not.toContain('pw-sol-6');
    } finally {
      await solSim.stop();
      server.close();
      serial?.destroy();
    }
    const t = makeRoot(conf());
    const r = await wwctl(t, 'node', 'console', 'n4');
    expect(r.code).toBe(255);
    expect(r.stderr).toContain('ERROR  : n4: No IPMI IP address\n');
  });
});

