export {
  nodeTemplateData, nodeInfo, hostNodeInfo, serverTemplateData, defaultServerContext, TemplateBuild,
  NodeData, NodeInfo, NetDevData, KernelData, IpmiData, DiskData, PartitionData, FileSystemData, WWbool, IP,
  WarewulfData, DhcpData, TftpData, NfsData, ExportData, SshData, PathsData,
  type ServerContext, type ServerData,
} from './template-data.js';
export {
  compileTemplate, CompiledTemplate, TemplateFileError, defaultSlotPath,
  type OutputSlot, type RenderResult, type TemplateEnv, type TemplateSource,
} from './compile.js';
export { systemdEscape, systemdEscapePath, uniqueField, ignitionJson } from './funcs.js';
export { resolveUnderRoot, resolveInRoot, realpathInRoot } from './safe-path.js';
export { renderOverlay, packOverlay, overlayRoot, type RenderedEntry } from './render.js';
export { formatShowRender, showRenderText, notTemplateWarning, type ShowLine } from './show.js';
export { templateInfo, templateReferences, DATA_MODEL, type InfoRow, type Reference } from './info.js';
export { OverlayStore, checkOverlayName, overlayRelPath, overlayRootOf, ensureParent, type OverlayInfo, type OverlayEntry } from './store.js';
export * from './build/index.js';
export { readOverlayFile, writeOverlayFile, deleteOverlayFile, type OverlayFileView, type RenderContext } from './files.js';
/** Go's byte strings through JS strings: template files, Include and output keep bytes that are not UTF-8. */
export { decodeGoString, encodeGoString } from '@warewulf/gotemplate';
