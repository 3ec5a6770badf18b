export { REPO, SHARED, CACHE, WWCTL_BIN, WAREWULFD_BIN, isRoot, inCI } from './paths.js';
export { makeRoot, type TestRoot } from './root.js';
export { wwctl, wwctlProcess, wwctlWithInput, runCmd, type RunResult } from './run.js';
export { Proc, type ProcOptions, type ProcExit } from './proc.js';
export { Cluster, type ClusterOptions, type CommandResult, type DaemonLogLine, type StatusRow } from './cluster.js';
export { Netns, type NetnsOptions, type DhcpHost, type DnsmasqOptions } from './netns.js';
export { Vm, type VmOptions } from './vm.js';
export { ensureDebianKernel, kernelPackage, KERNEL_MODULE_SUBSET, type DebianKernel } from './kernel.js';
export { buildBusyboxImage, busyboxPath, installKernel, packDir } from './busybox-image.js';
export { ensureDebianRoot, debianImageInitrd, debianMirror, DEBIAN_SUITE, DEBIAN_PACKAGES, type DebianRoot } from './debian-root.js';
export { ociArchiveOfDir, type OciArchiveInfo, type OciArchiveOptions } from './oci-archive.js';
export { startBootServer, normaliseWwid, runtimePath, type BootServer, type BootServerOptions, type BootRequest } from './boot-server.js';
export { BOOT_SERVER_CLI, WWCLIENT_BIN, ensureWwclient, missingTools } from './tools.js';
export { bootWorld, repoOverlay, renderBootOverlays, packBootOverlays, type BootWorld, type RenderedEntry } from './boot-overlays.js';
export { startBmcs, bmcSimUnavailable, type BmcSim, type BmcSpec, type SimBmc } from './bmc.js';
export { startRegistry, freePort, skopeoCopy, readBlob, blobCache, type TestRegistry, type RegistryOptions } from './registry.js';
export {
  addEntry,
  layerTar,
  writeLayerBlob,
  writeOciLayout,
  writeOciArchive,
  tarDirectory,
  type TarEntrySpec,
  type LayerSpec,
  type ImageSpec,
  type LayoutResult,
  type BlobInfo,
} from './oci-layout.js';
export { debianBusyboxImage, dockerArchiveOf, aptDownload, repackDeb, type DebianImage, type ModuleSet } from './images.js';
export { treeSnapshot, type TreeEntry, type SnapshotOptions } from './tree.js';
export { makeProvisionRoot, PROVISION_NODES_CONF, type ProvisionRoot, type ProvisionRootOptions, type ProvisionFiles } from './provision.js';
export { provisionApp, startTestDaemon, spawnDaemon, captureLog, type DaemonProcess, type TestApp, type InjectOptions, type InjectResponse, type LogLine } from './daemon.js';
export { httpGet, privilegedGet, rawGet, type HttpResult } from './http.js';
export { makeApiRoot, apiRequest, basicAuth, bcryptHash, openSse, API_USER, API_PASSWORD, type ApiRootOptions, type SseEvent, type SseStream } from './api.js';
export { launchBrowser, browserUnavailable, artifactPath, CHROMIUM, CHROMIUM_FLAGS, type BrowserContext, type Page } from './browser.js';
export { seedIssueExample } from './seed.js';
