export { nodeTemplateData, NodeData, NetDevData, KernelData, IpmiData } from './template-data.js';
export { renderOverlay, packOverlay, overlayRoot, type RenderedEntry } from './render.js';
