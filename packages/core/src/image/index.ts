/**
 * Images (§6): the store under `<wwchrootdir>`, imports from registries,
 * archives and directories, builds into `<provision>/images`, kernels,
 * syncuser, exec/shell. Reached through '@warewulf/core/image' so commands
 * that never touch an image do not load the OCI client and cpio.
 */
export { IMAGE_NAME_RE, isValidImageName, checkImageName, imagePaths, type ImagePaths } from './names.js';
export {
  listImages,
  imageExists,
  requireImage,
  checkNotBusy,
  removeLeftovers,
  deleteImage,
  copyImage,
  renameImage,
  copyTree,
  setDefaultProfileImage,
  type RenameResult,
} from './store.js';
export { imageUsers, imageUsersOf, type ImageUsers, type ImageReferenceHolder } from './users.js';
export { importImage, ociCredentials, blobStore, type ImportOptions, type ImportResult } from './import.js';
export { buildImage, readExcludes, remeasure, type BuildOptions, type BuildResult } from './build.js';
export {
  findKernels,
  defaultKernel,
  imageKernels,
  resolveNodeKernel,
  resolveKernelOverride,
  defaultKernelVersions,
  kernelVersionOf,
  compareKernelVersions,
  type KernelInfo,
} from './kernels.js';
export { syncUser, parseIdFile, type SyncUserResult, type IdChange, type IdCollision } from './syncuser.js';
export { execInImage, imageShell, parseBindSpec, type BindSpec, type ExecOptions, type ExecResult, type ExecStdio } from './exec.js';
export { imageInfo, type ImageInfo } from './info.js';
export { measureTree, readState, type ImageState, type TreeMeasure } from './state.js';
export { imageError } from './errors.js';
export type { ProgressEvent as PullProgressEvent } from '@warewulf/oci';
export type { ProgressEvent as PackProgressEvent } from '@warewulf/cpio';
