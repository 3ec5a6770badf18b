export { REPO, SHARED, CACHE, WWCTL_BIN, isRoot, inCI } from './paths.js';
export { makeRoot, type TestRoot } from './root.js';
export { wwctl, wwctlProcess, runCmd, type RunResult } from './run.js';
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
export { debianBusyboxImage, dockerArchiveOf, aptDownload, kernelPackage, repackDeb, type DebianImage, type ModuleSet } from './images.js';
export { treeSnapshot, type TreeEntry, type SnapshotOptions } from './tree.js';
