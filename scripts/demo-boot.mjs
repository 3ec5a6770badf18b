// The demo's last act (issue 11): one node of the demo cluster network-boots
// from warewulfd. A network namespace gets the head node's address from the
// demo's warewulf.conf (ipaddr/netmask) on a bridge; warewulfd (the real
// binary, on the demo's state directory) and dnsmasq (DHCP: the node's
// address and the daemon's iPXE URL as boot file) run inside it; qemu (TCG,
// Debian's iPXE ROM) boots the node on a tap device with its serial console
// on this terminal. When warewulfd reports the node at the runtime stage
// (wwclient fetched its runtime overlay), `wwctl node status` is printed and
// everything is stopped and removed. Without root or the tools it says what
// is missing and returns.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const TOOLS = [
  ['qemu-system-x86_64', 'qemu-system-x86'],
  ['dnsmasq', 'dnsmasq-base'],
  ['ip', 'iproute2'],
  ['timeout', 'coreutils'],
];
/** Debian's iPXE option ROM for qemu's e1000 (ipxe-qemu), which qemu loads for `-boot n`. */
const ROMS = ['/usr/share/qemu/efi-e1000.rom', '/usr/lib/ipxe/qemu/efi-e1000.rom', '/usr/share/qemu/pxe-e1000.rom'];

/** Why the boot cannot run here ('' when it can). */
export function bootBlocker() {
  if (process.platform !== 'linux' || process.arch !== 'x64') return 'an x86_64 Linux machine';
  if (process.getuid?.() !== 0) return 'root (a network namespace and a tap device): run `sudo npm run demo`';
  const missing = TOOLS.filter(([cmd]) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status !== 0);
  if (!ROMS.some((r) => existsSync(r))) missing.push(['iPXE ROM', 'ipxe-qemu']);
  if (missing.length > 0) {
    return `${missing.map(([c]) => c).join(', ')}: apt-get install ${[...new Set(missing.map(([, p]) => p))].join(' ')}`;
  }
  return '';
}

/** The first three octets and the prefix length of the server's network, when the server is its .1 (the namespace's layout). */
function serverNetwork(ipaddr, netmask) {
  const m = /^(\d+\.\d+\.\d+)\.1$/.exec(ipaddr ?? '');
  const prefix = (netmask ?? '').split('.').reduce((n, o) => n + (Number(o) >>> 0).toString(2).replace(/0/g, '').length, 0);
  if (!m || prefix < 8 || prefix > 24) return undefined;
  return { subnet: m[1], prefix };
}

/** Terminal control sequences of SeaBIOS and iPXE (screen resets, colours, menus), which would clear the demo's output. */
const CONTROL = /\x1b(?:\[[0-9;?]*[A-Za-z]|[c78])/g;

/**
 * The serial console as plain lines for the terminal: control sequences and backspaces removed, a line
 * redrawn with carriage returns shown as it ended, runs of empty lines (iPXE draws its menu with cursor
 * moves) made one. Whole lines only, so no sequence is ever cut in two.
 */
function serialToTerminal(write) {
  let partial = '';
  let blank = true;
  const filter = (chunk) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    let out = '';
    for (const raw of lines) {
      const segments = raw.replace(CONTROL, '').replace(/\x08 \x08|\x08/g, '').split('\r').filter((x) => x.trim() !== '');
      const line = (segments.pop() ?? '').trimEnd();
      if (line === '' && blank) continue;
      blank = line === '';
      out += `${line}\n`;
    }
    if (out) write(out);
  };
  /** Show a line still waiting for its end (a prompt). */
  filter.flush = () => {
    if (partial.trim() !== '') filter('\n');
  };
  return filter;
}

/**
 * Boot `node` of the demo cluster under `state` (WAREWULF_ROOT) and print its status. `wwctl(...args)` runs
 * and prints one admin step. Resolves true when the node reached the runtime stage, false when the boot
 * could not run here (the reason printed); throws when it ran and failed.
 */
export async function bootDemoNode({ repo, state, node, wwctl }) {
  const blocker = bootBlocker();
  if (blocker) {
    console.log(`\n# booting ${node} needs ${blocker}; skipped`);
    return false;
  }
  const dist = (p) => join(repo, 'packages', p);
  const core = await import(dist('core/dist/index.js'));
  const { Netns } = await import(dist('testenv/dist/netns.js'));
  const { Cluster } = await import(dist('testenv/dist/cluster.js'));
  const { Vm } = await import(dist('testenv/dist/vm.js'));
  const env = { WAREWULF_ROOT: state };
  const { conf, paths } = await core.loadConfigAndPaths({ env });
  const net = serverNetwork(conf.ipaddr, conf.netmask);
  if (!net) {
    console.log(`\n# booting ${node} needs a warewulf.conf ipaddr ending in .1 (the namespace's server), not ${conf.ipaddr}/${conf.netmask}; skipped`);
    return false;
  }
  // the console on the serial port (this terminal); the rest of the kernel arguments come from its profiles
  wwctl('node', 'set', '--yes', node, '--kernelargs', 'console=ttyS0');
  const n = (await core.loadNodeDb(paths.nodesConf)).require(node);
  const primary = n.fields.get('PrimaryNetDev')?.value ?? 'default';
  const mac = n.fields.get(`NetDevs[${primary}].Hwaddr`)?.value;
  const ip = n.fields.get(`NetDevs[${primary}].Ipaddr`)?.value;
  if (!mac || !ip) throw new Error(`${node} has no hardware or IP address on its network ${primary}`);

  console.log(`\n# ${node} network-boots: a network namespace with ${conf.ipaddr}/${net.prefix}, warewulfd and dnsmasq in it,`);
  console.log(`# qemu (TCG, Debian's iPXE ROM) on a tap device as ${mac}; its serial console follows (a minute or two)`);
  const ns = Netns.create(net);
  const c = Cluster.open({ ns, root: state, port: conf.warewulf.port });
  let vm;
  const cleanup = async () => {
    await vm?.stop().catch(() => undefined);
    await c.destroy().catch(() => undefined);
    await ns.destroy();
  };
  const onSignal = () => void cleanup().finally(() => process.exit(130));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    await c.startDaemon();
    await ns.startDnsmasq({ bootUrl: c.bootUrl(), hosts: [{ mac, ip, hostname: node }] });
    console.log(`# warewulfd listens on ${c.url} (inside ${ns.name}); dnsmasq's boot file: ${c.bootUrl()}\n`);
    const serial = serialToTerminal((text) => process.stdout.write(text));
    vm = new Vm({ netns: ns, tap: ns.addTap(), mac, timeoutS: 900, name: `qemu ${node}`, onOutput: serial });
    const t0 = Date.now();
    let row;
    // the node reports once wwclient has fetched its runtime overlay: the plain archive (iPXE, which
    // also tries the runtime overlay, asks for the compressed one)
    while (!(row = (await c.nodeStatus(node)).find((r) => r.name === node && r.stage === 'runtime' && r.sent === '__RUNTIME__.img'))) {
      if (Date.now() - t0 > 600_000) throw new Error(`${node} did not reach the runtime stage in 10 minutes:\n${c.daemon.tail(2000)}`);
      if (!vm.proc.running) throw new Error(`qemu ended before ${node} reported:\n${vm.proc.tail(2000)}`);
      await new Promise((r) => setTimeout(r, 1000));
    }
    // the rest of the boot's messages (the node's console prompt), then the status
    await vm.waitFor(/Please press Enter|login:/, 20_000).catch(() => undefined);
    serial.flush();
    console.log(`\n\n# ${node} reported after ${((Date.now() - t0) / 1000).toFixed(0)} s: wwclient fetched its runtime overlay (${row.sent}) from ${row.ipaddr}`);
    console.log('$ wwctl node status');
    process.stdout.write(await c.wwctlOk('node', 'status'));
    return true;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await cleanup();
    console.log(`# stopped qemu, warewulfd and dnsmasq; removed the namespace ${ns.name}`);
  }
}
