/**
 * Rendering one template for one node as a build would (`overlay show
 * --render`, the API's rendered file, §5.7): the same settings, template
 * data and functions as `overlay build`, so the preview is the file the
 * build writes.
 */
import type { RenderResult, TemplateSource } from '../compile.js';
import { compileTemplate } from '../compile.js';
import type { BuildContext } from './build.js';
import { templateBuildOf, templateEnv, type BuildSettings } from './node-builder.js';

/**
 * A build's settings for `ctx`, now: server data, build time, Sprig's env,
 * and the default kernel version of each of `images` (what `.Kernel.Version`
 * of a node without kernel.version is, §5.3, §6.3).
 */
export function buildSettingsOf(ctx: BuildContext, images: Iterable<string> = []): BuildSettings {
  const kernels: Record<string, string> = {};
  for (const image of images) kernels[image] = ctx.kernelVersion?.(image) ?? '';
  return { conf: ctx.conf, paths: ctx.paths, hostname: ctx.hostname, kernels, buildTime: Date.now(), ...(ctx.env ? { env: ctx.env } : {}) };
}

/**
 * `text` (the template file `source`) rendered for node `node` of
 * `ctx.db` with a build's data; an unknown node renders for the server's
 * own pseudo node, as upstream. Throws TemplateFileError (WW_ERR_TEMPLATE,
 * WW_ERR_PATH_ESCAPE) naming overlay, file, line and column.
 */
export function renderPreview(ctx: BuildContext, source: TemplateSource, text: string, node: string): RenderResult {
  const n = ctx.db.get(node);
  const image = n === undefined ? '' : String(n.fields.get('ImageName')?.value ?? '');
  const settings = buildSettingsOf(ctx, image === '' ? [] : [image]);
  const t = compileTemplate(source, text, templateEnv(settings, ctx.log));
  const build = templateBuildOf(settings, () => ctx.db.all());
  return t.render(n === undefined ? build.hostData() : build.dataFor(n));
}
