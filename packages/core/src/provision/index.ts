// The HTTP contract between warewulfd and the nodes (§4, §7): stages and
// routes, request parsing, artefact paths, boot-script data, discovery and
// the status table. Reached as '@warewulf/core/provision' (it loads zod).
export {
  STAGES, ROUTE_STAGES, PROVISION_STAGES, TEMPLATE_STAGES, BULK_STAGES, provisionStage, stageDisplayName, type Stage,
} from './stages.js';
export { normalizeWwid, parsePeer, splitTarget, parseProvisionRequest, parseArpTable, type Peer, type ProvisionRequest } from './request.js';
export {
  isSafeSegment, imageArtefact, overlayArtefact, withCompression, imageRootfs, resolveInRoot, splitArtefact,
  type Artefact, type OverlayKind,
} from './artefacts.js';
export { findKernel, findInitramfs, findEfiFile, type ImageFile, type KernelFile } from './image-files.js';
export {
  BootTemplateData, bootTemplateData, unknownNodeTemplateData, serverAuthority, retryDelayFor, type BootRequestInfo,
} from './template-data.js';
export { discoverNode, type DiscoveryResult } from './discovery.js';
export {
  statusDocumentSchema, parseStatusDocument, seenState, nodeStatusRows, formatNodeStatus, statusUrl, fetchStatus,
  type NodeStatus, type StatusDocument, type SeenState, type NodeStatusRow, type NodeStatusOptions,
} from './status.js';
