#!/usr/bin/env node
// The main job on an embedded default: a self-contained state directory
// (.demo/ in the repository, used as WAREWULF_ROOT, so nothing outside it is
// touched and no root-owned path is needed), seeded with the shipped configs,
// then a small cluster built and inspected with wwctl the way an admin would,
// and (as root, with qemu) one of its nodes network-booted from warewulfd.
import { spawnSync } from 'node:child_process';
import { cpSync, createReadStream, existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = dirname(dirname(fileURLToPath(import.meta.url)));
const state = process.env.WAREWULF_ROOT ?? join(repo, '.demo');
const wwctlBin = join(repo, 'packages', 'wwctl', 'bin', 'wwctl.js');
const env = { ...process.env, WAREWULF_ROOT: state };

rmSync(state, { recursive: true, force: true });
mkdirSync(join(state, 'etc', 'warewulf'), { recursive: true });
cpSync(join(repo, 'etc', 'warewulf'), join(state, 'etc', 'warewulf'), { recursive: true });
// the server's resolv.conf, which image import copies into images (<sysconfdir>/resolv.conf)
if (existsSync('/etc/resolv.conf')) cpSync('/etc/resolv.conf', join(state, 'etc', 'resolv.conf'), { dereference: true });
console.log(`# state directory: ${relative(process.cwd(), state) || '.'} (WAREWULF_ROOT)`);

function wwctl(...args) {
  console.log(`\n$ wwctl ${args.map((a) => (/[\s,[\]]/.test(a) ? `'${a}'` : a)).join(' ')}`);
  const r = spawnSync(process.execPath, [wwctlBin, ...args], { env, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`demo step failed (exit ${r.status})`);
    process.exit(1);
  }
}

wwctl('profile', 'set', '--yes', 'default', '--image', 'rocky-9', '--ipminetmask', '255.255.255.0', '--ipmiuser', 'admin',
  '--netmask', '255.255.252.0', '--nettagadd', 'mtu=9000');
wwctl('profile', 'add', 'gpu', '--comment', 'nodes with GPUs', '--kernelargs', 'nvidia-drm.modeset=1', '--tagadd', 'gres=gpu:4');
wwctl('node', 'add', 'n[01-04]', '--netdev', 'eth0', '--ipaddr', '10.0.2.1', '--ipmiaddr', '10.0.3.1', '--discoverable=false');
wwctl('node', 'set', '--yes', 'n[03-04]', '--profile', 'default,gpu');
for (const i of [2, 3, 4]) wwctl('node', 'set', '--yes', `n0${i}`, '--hwaddr', `52:54:00:00:00:0${i}`);
wwctl('node', 'set', '--yes', 'n01', '--hwaddr', '52:54:00:00:00:01', '--comment', 'login node', '--onboot');
wwctl('node', 'list');
wwctl('node', 'list', '-l');
wwctl('node', 'list', '-n');
wwctl('node', 'list', '-a', 'n01');
wwctl('node', 'list', '-a', '--style', 'current', 'n03');
wwctl('profile', 'list');

// The head node's first day (issue 12): what `configure --all` would change,
// shown as unified diffs without touching anything, then done. Everything
// lands under the state directory (WAREWULF_ROOT): its etc/dhcp/dhcpd.conf,
// etc/hosts, etc/exports, TFTP root and SSH keys; services are named, not run.
wwctl('configure', '--all', '--dry-run');
wwctl('configure', '--all');
// Overlays (issue 8): every node's system and runtime overlay images built
// by `wwctl overlay build` (Go templates rendered per node, packed as gzip
// newc cpio, in parallel); a second build finds nothing stale, and after one
// node changes only that node's system image is rebuilt (autobuild). Then files read back from
// a built image: the seed's /etc/issue, /etc/hosts and a network configuration.
const core = await import(join(repo, 'packages', 'core', 'dist', 'index.js'));
const cpio = await import(join(repo, 'packages', 'cpio', 'dist', 'index.js'));
const { paths } = await core.loadConfigAndPaths({ env, allowMissing: true });
wwctl('overlay', 'build');
wwctl('overlay', 'build');
// autobuild (warewulf.conf `autobuild overlays`): a change rebuilds exactly the images it made stale
wwctl('--verbose', 'node', 'set', '--yes', 'n02', '--kernelargs', 'quiet,debug');
wwctl('overlay', 'list', '-a', 'hosts', 'ifcfg');
const first = join(paths.provisionOverlaysDir, 'n01', '__SYSTEM__.img.gz');
const wanted = ['etc/issue', 'etc/hosts', 'etc/sysconfig/network-scripts/ifcfg-default.conf'];
const seen = new Map();
let count = 0;
for await (const e of cpio.readArchive(createReadStream(first))) {
  count++;
  if (!wanted.includes(e.name)) continue; // unread bodies are skipped by the reader
  const chunks = [];
  for await (const chunk of e.body) chunks.push(chunk);
  seen.set(e.name, Buffer.concat(chunks).toString('utf8'));
}
console.log(`\n# ${relative(process.cwd(), first)}: ${count} entries; three of its files:`);
for (const name of wanted) {
  console.log(`\n## /${name}`);
  process.stdout.write(seen.get(name) ?? '(missing)\n');
}

// An OS image the way an admin gets one: an OCI archive (made here from Debian
// packages: busybox-static, the current kernel and its network/disk modules;
// the only network used is the Debian archive), imported, built into the
// provision tree, and its kernel found.
console.log('\n# an OS image: busybox-static + the Debian kernel as an OCI archive (apt-get download, cached in .cache/)');
const images = await import(join(repo, 'packages', 'testenv', 'dist', 'images.js'));
let debian;
try {
  debian = await images.debianBusyboxImage();
  console.log(`${relative(process.cwd(), debian.ociArchive)} (kernel ${debian.kernelVersion})`);
} catch (err) {
  console.log(`skipped: could not make the image from Debian packages (${err.message.split('\n')[0]})`);
}
if (debian) {
  const isRoot = process.getuid?.() === 0;
  if (!isRoot) console.log('# not root: owners are not preserved in the import (wwctl warns once), and image exec is skipped');
  wwctl('image', 'import', `oci-archive:${debian.ociArchive}:latest`, 'debian-busybox');
  wwctl('image', 'build', 'debian-busybox');
  wwctl('node', 'set', '--yes', 'n[03-04]', '--image', 'debian-busybox');
  wwctl('image', 'list', '-l');
  wwctl('image', 'kernels');
  if (isRoot) {
    wwctl('image', 'exec', 'debian-busybox', '--', '/bin/sh', '-c', 'echo "changed in image exec" > /etc/motd');
  }
  wwctl('image', 'build', 'debian-busybox');
}
await cpio.closeCompressionWorkers();

// warewulfd on the demo root, on loopback and a free unprivileged port: a
// node's iPXE script fetched with its identity (hardware address, asset key,
// uuid), then every artefact the script names, as iPXE would fetch them.
const { createServer } = await import('node:net');
const port = await new Promise((res) => {
  const s = createServer().listen(0, '127.0.0.1', () => {
    const { port: p } = s.address();
    s.close(() => res(p));
  });
});
const base = `http://127.0.0.1:${port}`;
wwctl('server', 'start', '--listen', '127.0.0.1', '--port', String(port));
try {
  const params = 'assetkey=&uuid=4c4c4544-0000-0000-0000-000000000003';
  const wwid = '52-54-00-00-00-03';
  console.log(`\n# GET ${base}/ipxe/${wwid}?${params}  (what iPXE asks for; the first lines)`);
  const script = await (await fetch(`${base}/ipxe/${wwid}?${params}`)).text();
  console.log(script.split('\n').slice(0, 14).join('\n'));
  // the script's URLs, with iPXE's variables filled in as the node would
  const vars = { base, wwid: '52:54:00:00:00:03', params, compress: '&compress=gz' };
  const urls = [...script.matchAll(/--name (kernel|image|system|runtime) (\S+)/g)].map(([, name, u]) => [name, u.replace(/\$\{(\w+)\}/g, (_, v) => vars[v] ?? '')]);
  console.log('\n# the artefacts the script names, fetched with the node identity');
  for (const [name, u] of urls) {
    const r = await fetch(u);
    const body = Buffer.from(await r.arrayBuffer());
    console.log(`${name.padEnd(8)} ${r.status} ${String(body.length).padStart(8)} bytes  ${u.replace(base, '')}`);
  }
  wwctl('node', 'status', '--server', `${base}/status`);
} finally {
  wwctl('server', 'stop');
}

// The boot (issue 11): n03 (the debian-busybox image) network-boots from
// warewulfd in a network namespace, its serial console on this terminal,
// and `wwctl node status` shows it at the runtime stage. Root and qemu only;
// otherwise it says what it needs.
if (debian) {
  const { bootDemoNode } = await import(join(repo, 'scripts', 'demo-boot.mjs'));
  await bootDemoNode({ repo, state, node: 'n03', wwctl });
} else {
  console.log('\n# no image could be made: the boot is skipped');
}

console.log(`\n# nodes.conf is at ${join(state, 'etc', 'warewulf', 'nodes.conf')}; try: WAREWULF_ROOT=${state} ${wwctlBin} node list -a`);
