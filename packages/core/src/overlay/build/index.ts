export { buildOverlays, type BuildContext, type BuildOptions, type BuildReport, type PlannedImage } from './build.js';
export { overlayImagePath, imageBaseName, renderImage, packImage, type OverlayKind, type RenderedImage } from './image.js';
export { OverlayCompiler, type CompiledOverlay } from './compiler.js';
export { builtNodeDirs, readIndex, type BuildIndex, type ImageRecord } from './plan.js';
export { templateEnv, type ImageOutcome, type BuildSettings } from './node-builder.js';
export { buildSettingsOf, renderPreview } from './preview.js';
export { diffNodeImages, type ImageDiff, type ImageFileChange } from './diff.js';
