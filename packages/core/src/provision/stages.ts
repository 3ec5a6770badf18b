/**
 * The provisioning stages warewulfd serves and the URL words that name them
 * (§4.2, §4.3). One table: the router, the request parser, the status table
 * and `wwctl node status` all read it.
 */

/** A stage as HEAD stores it in the status table (lower case, §4.7). */
export type Stage = 'ipxe' | 'kernel' | 'image' | 'initramfs' | 'system' | 'runtime' | 'grub' | 'efiboot';

export const STAGES: readonly Stage[] = Object.freeze(['ipxe', 'kernel', 'image', 'initramfs', 'system', 'runtime', 'grub', 'efiboot']);

/**
 * First path segment → stage. `provision` is the legacy dispatcher (its
 * `?stage=` wins, default `ipxe`); the others are upstream's aliases.
 */
export const ROUTE_STAGES: Readonly<Record<string, Stage | 'provision'>> = Object.freeze({
  provision: 'provision',
  ipxe: 'ipxe',
  kernel: 'kernel',
  image: 'image',
  container: 'image',
  initramfs: 'initramfs',
  system: 'system',
  'overlay-system': 'system',
  runtime: 'runtime',
  'overlay-runtime': 'runtime',
  grub: 'grub',
  efiboot: 'efiboot',
});

/** Stages the `/provision?stage=` dispatcher accepts; anything else is a 400 (§4.2). */
export const PROVISION_STAGES: ReadonlySet<Stage> = new Set<Stage>(['ipxe', 'kernel', 'image', 'system', 'runtime', 'grub', 'initramfs']);

/** `?stage=` words of 4.3 that map onto today's stages. */
const LEGACY_STAGE_WORDS: Readonly<Record<string, Stage>> = { container: 'image', provision: 'ipxe' };

/** A `?stage=` value as a stage, or undefined when the dispatcher does not serve it. */
export function provisionStage(word: string): Stage | undefined {
  const s = (LEGACY_STAGE_WORDS[word] ?? word) as Stage;
  return PROVISION_STAGES.has(s) ? s : undefined;
}

/** Stages whose response is a rendered template rather than a file (a `compress` parameter on them is a 404). */
export const TEMPLATE_STAGES: ReadonlySet<Stage> = new Set<Stage>(['ipxe', 'grub']);

/** Stages that stream big files; the boot-storm bound applies to them. */
export const BULK_STAGES: ReadonlySet<Stage> = new Set<Stage>(['kernel', 'image', 'initramfs', 'efiboot']);

/** How `wwctl node status` names a stage (§1.3). */
export function stageDisplayName(stage: string): string {
  const names: Record<string, string> = {
    efiboot: 'EFI',
    grub: 'GRUB',
    ipxe: 'IPXE',
    kernel: 'KERNEL',
    image: 'IMAGE',
    system: 'SYSTEM OVERLAY',
    runtime: 'RUNTIME OVERLAY',
    initramfs: 'INITRAMFS',
  };
  return names[stage] ?? stage.toUpperCase();
}
