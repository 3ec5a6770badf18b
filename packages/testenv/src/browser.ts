/**
 * A real browser for UI tests: Debian's Chromium (/usr/bin/chromium)
 * driven by playwright-core (no browser download), headless, with a fresh
 * user data directory and the flags that keep it off the network
 * (`/work/.library/env/machines/node.md`: background networking, component
 * updates and sync would dial out of a closed machine). Pages are
 * screenshotted into `.cache/artifacts/`.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, BrowserContextOptions } from 'playwright-core';

export type { BrowserContext, Page } from 'playwright-core';
import { CACHE } from './paths.js';

export const CHROMIUM = '/usr/bin/chromium';

export const CHROMIUM_FLAGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

/** Why no browser test can run here, or undefined when Chromium is installed. */
export function browserUnavailable(): string | undefined {
  // in CI the browser is installed (scripts/debian-packages.txt): a missing one fails there, never skips
  return existsSync(CHROMIUM) || process.env['CI'] ? undefined : `${CHROMIUM} is not installed (apt-get install chromium; scripts/debian-packages.txt lists it)`;
}

/** Where test artifacts (screenshots) are kept: `.cache/artifacts/` (git-ignored). */
export function artifactPath(name: string): string {
  const dir = join(CACHE, 'artifacts');
  mkdirSync(dir, { recursive: true });
  return join(dir, name);
}

/** A headless Chromium context on a fresh profile; closing it removes the profile. */
export async function launchBrowser(opts: Pick<BrowserContextOptions, 'httpCredentials' | 'viewport'> = {}): Promise<BrowserContext> {
  // loaded here, not with testenv: only browser tests pay for it
  const { chromium } = await import('playwright-core');
  const profile = mkdtempSync(join(tmpdir(), 'ww-chromium-'));
  const ctx = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_FLAGS,
    viewport: opts.viewport ?? { width: 1400, height: 900 },
    ...(opts.httpCredentials ? { httpCredentials: opts.httpCredentials } : {}),
  });
  ctx.on('close', () => {
    try {
      rmSync(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
    } catch {
      /* Chromium still writing its profile as it exits: a temp directory left behind */
    }
  });
  return ctx;
}
