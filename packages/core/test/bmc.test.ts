/**
 * BMC command templates and their execution, without a BMC: the shipped
 * ipmitool.tmpl rendered as upstream's --show tests expect (AT-6, with the
 * password masked), the password kept out of argument vectors, template
 * errors, node selection, and the runner's bound, timeout and skips, with
 * small shell scripts standing in for the tool through absolute-path
 * templates. The ipmi_sim tests are in packages/wwctl/test/power-ipmi.test.ts.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeRoot } from '@warewulf/testenv';
import {
  BmcTemplates, POWER_ACTIONS, POWER_CMD, SHIPPED_BMC_DIR, loadBmcTargets, runBmcBatch, type BmcTarget,
} from '../src/bmc/index.js';
import { isWwError } from '../src/index.js';

/** AT-6's nodes.conf. */
const AT6 = `nodeprofiles:
  default:
    ipmi:
      template: ipmitool.tmpl
      username: admin
      password: admin
nodes:
  n01:
    profiles: [default]
    ipmi:
      ipaddr: 10.10.10.10
  n02:
    profiles: [default]
`;

async function rejection(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
  } catch (err) {
    if (isWwError(err)) return { code: err.code, message: err.message };
    throw err;
  }
  throw new Error('expected a WwError');
}

function target(node: string, ipmi: Partial<BmcTarget['ipmi']>, hwaddr = ''): BmcTarget {
  return {
    node, hwaddr,
    ipmi: {
      UserName: '', Password: '', Ipaddr: '', Gateway: '', Netmask: '', Port: '', Interface: '', EscapeChar: '',
      Write: '', Template: 'ipmitool.tmpl', Tags: {}, ...ipmi,
    },
  };
}

describe('shipped ipmitool.tmpl (§1.8, AT-6)', () => {
  it('power --show prints upstream\'s command lines, the password masked', async () => {
    const t = makeRoot(AT6);
    const { targets, unknown } = await loadBmcTargets(['n01'], { nodesConf: t.nodesConf });
    expect(unknown).toEqual([]);
    const templates = new BmcTemplates(join(t.root, 'usr/share/warewulf/bmc'));
    for (const action of POWER_ACTIONS) {
      const [r] = await runBmcBatch(targets, POWER_CMD[action], { templates, env: {}, show: true });
      expect(r?.status).toBe('ok');
      expect(`${r?.ipaddr}: ${r?.output}`).toBe(`10.10.10.10: ipmitool -H 10.10.10.10 -U "admin" -P "********" chassis power ${action}`);
    }
    const [s] = await runBmcBatch(targets, 'SDRList', { templates, env: {}, show: true });
    expect(s?.output).toBe('ipmitool -H 10.10.10.10 -U "admin" -P "********" sdr list');
  });

  it('renders every field in upstream\'s order, tags for -C and -R, and sensor list / sol activate', async () => {
    const templates = new BmcTemplates('/nonexistent');
    const n = target('n1', {
      Interface: 'lanplus', EscapeChar: '&', Port: '6230', Ipaddr: '192.0.2.7', UserName: 'root', Password: 'pw',
      Tags: { cipher: '3', retries: '1' },
    });
    expect((await templates.invocation(n, 'SensorList')).display)
      .toBe('ipmitool -I lanplus -C 3 -R 1 -e "&" -p 6230 -H 192.0.2.7 -U "root" -P "********" sensor list');
    expect((await templates.invocation(n, 'Console')).argv.slice(-2)).toEqual(['sol', 'activate']);
    // nothing set but the address: no empty flags
    expect((await templates.invocation(target('n2', { Ipaddr: '192.0.2.8' }), 'PowerStatus')).argv)
      .toEqual(['ipmitool', '-H', '192.0.2.8', 'chassis', 'power', 'status']);
  });

  it('keeps the password out of the argument vector: -P becomes -E, the password goes to the environment', async () => {
    const templates = new BmcTemplates('/nonexistent');
    const password = 'a"b c$(touch x)\'`';
    const inv = await templates.invocation(target('n1', { Ipaddr: '192.0.2.7', UserName: 'admin', Password: password }), 'PowerOn');
    expect(inv.argv).toEqual(['ipmitool', '-H', '192.0.2.7', '-U', 'admin', '-E', 'chassis', 'power', 'on']);
    expect(inv.env).toEqual({ IPMI_PASSWORD: password, IPMITOOL_PASSWORD: password });
    expect(JSON.stringify(inv.argv) + inv.display).not.toContain('touch');
    // no password: no -E and no variable
    const none = await templates.invocation(target('n1', { Ipaddr: '192.0.2.7' }), 'PowerOn');
    expect(none.argv).not.toContain('-E');
    expect(none.env).toEqual({});
  });
});

describe('shipped nobmc.tmpl', () => {
  it('wakes the primary interface\'s MAC and sends the remote commands to ssh as one word each', async () => {
    const templates = new BmcTemplates('/nonexistent');
    const n = target('n1', { Ipaddr: '192.0.2.9', Template: 'nobmc.tmpl' }, '52:54:00:00:00:01');
    expect((await templates.invocation(n, 'PowerOn')).argv).toEqual(['wol', '52:54:00:00:00:01']);
    expect((await templates.invocation(n, 'PowerOff')).argv).toEqual(['ssh', '192.0.2.9', 'echo o > /proc/sysrq-trigger']);
    expect((await templates.invocation(n, 'PowerStatus')).argv).toEqual(['ping', '-c', '1', '-W', '2', '192.0.2.9']);
  });
});

describe('template lookup and refusals', () => {
  it('an installed template wins over the shipped one; absolute paths are used as they are', async () => {
    const t = makeRoot();
    const bmcDir = join(t.root, 'usr/share/warewulf/bmc');
    t.write('usr/share/warewulf/bmc/ipmitool.tmpl', 'echo installed {{ .Cmd }}');
    const abs = t.write('site/my.tmpl', 'echo site {{ .Id }} {{ .Hwaddr }}');
    const templates = new BmcTemplates(bmcDir);
    expect((await templates.invocation(target('n1', { Ipaddr: '192.0.2.1' }), 'PowerOff')).argv).toEqual(['echo', 'installed', 'PowerOff']);
    expect((await templates.invocation(target('n1', { Ipaddr: '192.0.2.1', Template: abs }, 'aa:bb'), 'PowerOff')).argv)
      .toEqual(['echo', 'site', 'n1', 'aa:bb']);
    // not installed: the shipped copy
    expect(await new BmcTemplates(join(t.root, 'empty')).resolve('nobmc.tmpl')).toBe(join(SHIPPED_BMC_DIR, 'nobmc.tmpl'));
  });

  it('refuses an empty template name, a name leaving the directory, a missing file, and template errors', async () => {
    const t = makeRoot();
    const templates = new BmcTemplates(join(t.root, 'bmc'), join(t.root, 'shipped'));
    const n = (Template: string) => target('n1', { Ipaddr: '192.0.2.1', Template });
    expect(await rejection(templates.invocation(n(''), 'PowerOn'))).toEqual({ code: 'WW_ERR_BMC_TEMPLATE', message: 'no bmc template specified' });
    expect((await rejection(templates.invocation(n('../../etc/passwd'), 'PowerOn'))).message).toMatch(/outside/);
    expect((await rejection(templates.invocation(n('gone.tmpl'), 'PowerOn'))).message).toBe(`bmc template ${join(t.root, 'bmc', 'gone.tmpl')}: not found`);
    const bad = t.write('bad.tmpl', 'ipmitool {{ .Nope }}');
    expect((await rejection(templates.invocation(n(bad), 'PowerOn'))).message).toContain("can't evaluate field Nope");
    const empty = t.write('empty.tmpl', '{{ if eq .Cmd "PowerOn" }}echo on{{ end }}');
    expect((await rejection(templates.invocation(n(empty), 'PowerOff'))).message).toBe(`bmc template ${empty} renders no command for PowerOff`);
  });

  it('refuses shell syntax and a password anywhere but after ipmitool -P, naming the template and masking the password', async () => {
    const t = makeRoot();
    const templates = new BmcTemplates(join(t.root, 'bmc'));
    const pipe = t.write('pipe.tmpl', 'ipmitool -H {{ .Ipaddr }} power status | tee /tmp/x');
    const leak = t.write('leak.tmpl', 'curl -u {{ .UserName }}:{{ .Password }} http://{{ .Ipaddr }}/');
    const other = t.write('other.tmpl', 'othertool -P {{ .Password }} {{ .Ipaddr }}');
    const n = (Template: string) => target('n1', { Ipaddr: '192.0.2.1', UserName: 'u', Password: 'sekrit-pw', Template });
    const p = await rejection(templates.invocation(n(pipe), 'PowerStatus'));
    expect(p).toEqual({ code: 'WW_ERR_BMC_TEMPLATE', message: `bmc template ${pipe}: shell operator "|" in the rendered command; BMC commands run without a shell` });
    for (const file of [leak, other]) {
      const e = await rejection(templates.invocation(n(file), 'PowerStatus'));
      expect(e.code).toBe('WW_ERR_BMC_TEMPLATE');
      expect(e.message).toContain(`bmc template ${file} puts the IPMI password on the command line`);
      expect(e.message).toContain('********');
      expect(e.message).not.toContain('sekrit-pw');
    }
  });
});

describe('node selection (never all nodes, ww#820)', () => {
  it('refuses no pattern and empty patterns before reading nodes.conf', async () => {
    // the nodes.conf does not parse: the refusal comes first
    const t = makeRoot('nodes: [not, a, map');
    for (const patterns of [[], [''], [' ']]) {
      expect((await rejection(loadBmcTargets(patterns, { nodesConf: t.nodesConf }))).code).toBe('WW_ERR_USAGE');
    }
  });

  it('expands hostlists, merges profiles, reports unknown names, and fails when none exists', async () => {
    const t = makeRoot(`${AT6}  n03:
    ipmi:
      ipaddr: 10.10.10.13
      port: "6230"
      tags:
        cipher: "3"
    network devices:
      eth0:
        hwaddr: 52:54:00:00:00:03
`);
    const { targets, unknown } = await loadBmcTargets(['n0[1-4]', 'n01'], { nodesConf: t.nodesConf });
    expect(targets.map((x) => x.node)).toEqual(['n01', 'n02', 'n03']);
    expect(unknown).toEqual(['n04']);
    expect(targets[0]?.ipmi).toMatchObject({ Ipaddr: '10.10.10.10', UserName: 'admin', Password: 'admin', Template: 'ipmitool.tmpl' });
    expect(targets[1]?.ipmi.Ipaddr).toBe('');
    expect(targets[2]).toMatchObject({ hwaddr: '52:54:00:00:00:03', ipmi: { Port: '6230', Tags: { cipher: '3' }, UserName: 'admin' } });
    expect(await rejection(loadBmcTargets(['x[1-2]'], { nodesConf: t.nodesConf }))).toEqual({ code: 'WW_ERR_NODE_NOT_FOUND', message: 'no such node: x1, x2' });
  });
});

describe('runBmcBatch', () => {
  /** A stand-in tool: records each call in DIR/calls, sleeps, echoes; its template passes the node's fields. */
  function probe(t: ReturnType<typeof makeRoot>, body: string): string {
    const script = t.write('probe.sh', `#!/bin/sh\nD=${t.root}\nmkdir -p $D/calls $D/running\necho "$@" > $D/calls/$1\n${body}\n`, 0o755);
    return t.write('probe.tmpl', `${script} {{ .Id }} {{ .Cmd }}{{ if .Password }} -P "{{ .Password }}"{{ end }}`);
  }

  it('skips nodes without a BMC address without running anything, and keeps the targets\' order', async () => {
    const t = makeRoot();
    const tmpl = probe(t, 'echo "answer from $1"');
    const targets = ['a', 'b', 'c'].map((n) => target(n, { Ipaddr: n === 'b' ? '' : '192.0.2.1', Template: tmpl }));
    const seen: string[] = [];
    const results = await runBmcBatch(targets, 'PowerStatus', { templates: new BmcTemplates(t.root), env: { PATH: process.env.PATH }, onResult: (r) => seen.push(r.node) });
    expect(results.map((r) => [r.node, r.status, r.output || r.error])).toEqual([
      ['a', 'ok', 'answer from a'], ['b', 'skipped', 'No IPMI IP address'], ['c', 'ok', 'answer from c'],
    ]);
    expect(seen.sort()).toEqual(['a', 'b', 'c']);
    expect(readdirSync(join(t.root, 'calls')).sort()).toEqual(['a', 'c']);
  });

  it('runs at most fanout commands at once', async () => {
    const t = makeRoot();
    // each call counts the calls running beside it (itself included) into DIR/max
    const tmpl = probe(t, 'touch $D/running/$1; ls $D/running | wc -l >> $D/max; sleep 0.1; rm $D/running/$1');
    const targets = Array.from({ length: 8 }, (_, k) => target(`n${k}`, { Ipaddr: '192.0.2.1', Template: tmpl }));
    for (const fanout of [1, 3]) {
      const results = await runBmcBatch(targets, 'PowerOn', { templates: new BmcTemplates(t.root), env: { PATH: process.env.PATH }, fanout });
      expect(results.every((r) => r.ok)).toBe(true);
      const counts = readFileSync(join(t.root, 'max'), 'utf8').trim().split('\n').map(Number);
      expect(counts).toHaveLength(8);
      expect(Math.max(...counts)).toBeLessThanOrEqual(fanout);
      t.write('max', '');
    }
    expect((await rejection(runBmcBatch(targets, 'PowerOn', { templates: new BmcTemplates(t.root), env: {}, fanout: 0 }))).code).toBe('WW_ERR_USAGE');
  });

  it('reports exit status, stderr, a missing tool and a timeout per node; a tool echoing the password is masked', async () => {
    const t = makeRoot();
    const fail = t.write('fail.tmpl', `${t.write('fail.sh', '#!/bin/sh\necho "Error: no session" >&2\nexit 1\n', 0o755)}`);
    const silent = t.write('silent.tmpl', `${t.write('silent.sh', '#!/bin/sh\nexit 3\n', 0o755)}`);
    const slow = t.write('slow.tmpl', 'sleep 30');
    const gone = t.write('gone.tmpl', '/nonexistent/ipmitool -H {{ .Ipaddr }}');
    const echo = t.write('echo.tmpl', `${t.write('echo.sh', '#!/bin/sh\necho "I was given $IPMI_PASSWORD"\n', 0o755)}`);
    const n = (node: string, Template: string) => target(node, { Ipaddr: '192.0.2.1', Password: 'hunter22', Template });
    const results = await runBmcBatch([n('fail', fail), n('silent', silent), n('slow', slow), n('gone', gone), n('echo', echo)], 'PowerStatus', {
      templates: new BmcTemplates(t.root), env: { PATH: process.env.PATH }, timeoutMs: 300,
    });
    expect(results.map((r) => [r.node, r.status, r.error])).toEqual([
      ['fail', 'failed', 'Error: no session'],
      ['silent', 'failed', 'exit status 3'],
      ['slow', 'failed', 'timed out after 0.3 s'],
      ['gone', 'failed', '/nonexistent/ipmitool: command not found'],
      ['echo', 'ok', undefined],
    ]);
    expect(results[4]?.output).toBe('I was given ********');
  });
});
