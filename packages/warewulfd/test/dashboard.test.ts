/**
 * The dashboard in a real browser (Debian's Chromium, playwright-core) on
 * the real daemon: the page loads without console errors, shows the nodes,
 * follows a `wwctl node set` from the command line within 2 s without a
 * reload, filters by pattern and profile, shows a node's `list -a`
 * provenance on click and the images and overlays in use. A screenshot is
 * kept in .cache/artifacts/dashboard.png.
 */
import { describe, expect, it } from 'vitest';
import {
  API_PASSWORD, API_USER, artifactPath, browserUnavailable, httpGet, launchBrowser, makeApiRoot, startTestDaemon, wwctlProcess, type Page,
} from '@warewulf/testenv';

const noBrowser = browserUnavailable();

/** The page's DOM, as far as the functions run inside the page use it (the tests compile without the DOM library). */
declare const document: { querySelector(sel: string): { textContent: string | null } | null };

/** Wait, inside the page (checked on every frame, no round trip per try), until `sel`'s text is `want`. */
function textBecomes(page: Page, sel: string, want: string, timeout = 2000) {
  return page.waitForFunction(([s, w]: readonly [string, string]) => document.querySelector(s)?.textContent === w, [sel, want] as const, { timeout });
}

describe.skipIf(noBrowser !== undefined)(`dashboard in Chromium${noBrowser ? ` (skipped: ${noBrowser})` : ''}`, () => {
  it('shows the nodes live: a wwctl change appears within 2 s, status too; filters, provenance, images and overlays', async () => {
    const t = makeApiRoot();
    const d = await startTestDaemon(t, { watchDelayMs: 50 });
    const ctx = await launchBrowser({ httpCredentials: { username: API_USER, password: API_PASSWORD } });
    try {
      const page = await ctx.newPage();
      const problems: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
      });
      page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
      page.on('requestfailed', (r) => {
        // the event stream is cut when the page closes; anything else failing is a problem
        if (!r.url().endsWith('/api/events')) problems.push(`requestfailed: ${r.url()} ${r.failure()?.errorText ?? ''}`);
      });

      const res = await page.goto(`${d.url}/`);
      expect(res?.status()).toBe(200);
      const rows = page.locator('#nodes tbody tr');
      await expect.poll(() => rows.count()).toBe(4);
      expect(await page.locator('#nodes tbody td.name').allTextContents()).toEqual(['n1', 'n2', 'n3', 'n4']);
      await expect.poll(() => page.locator('#live').textContent()).toBe('live');
      await expect.poll(() => page.locator('#images tbody').textContent()).toContain('suse');
      await expect.poll(() => page.locator('#overlays tbody').textContent()).toContain('wwinit');

      // the command line changes n3; the open page shows it without a reload
      const navigations: string[] = [];
      page.on('framenavigated', (f) => navigations.push(f.url()));
      const cell = page.locator('#nodes tbody tr[data-node="n3"] td.address');
      expect(await cell.textContent()).toBe('');
      const r = await wwctlProcess(t, ['node', 'set', '--yes', '--ipaddr', '10.0.7.3', 'n3']).done;
      // n3's only network is named `net`: --ipaddr without --netname makes `default` (and says so)
      expect([r.code, r.stderr.replace(/^WARN {3}: no --netname: .*\n/m, '')]).toEqual([0, '']);
      const started = Date.now();
      await textBecomes(page, '#nodes tbody tr[data-node="n3"] td.address', '10.0.7.3');
      const ms = Date.now() - started;
      expect(ms).toBeLessThan(2000);
      expect(navigations).toEqual([]);

      // a node boots: its last stage appears
      expect((await httpGet(`${d.url}/provision/00:00:00:ff:ff:ff?stage=ipxe`)).status).toBe(200);
      await textBecomes(page, '#nodes tbody tr[data-node="n1"] td.stage', 'ipxe');

      // filters: a hostlist pattern, then a profile nobody has
      await page.fill('#pattern', 'n[2-3]');
      expect(await page.locator('#nodes tbody td.name').allTextContents()).toEqual(['n2', 'n3']);
      await page.fill('#pattern', '');
      await page.selectOption('#profile', 'default');
      expect(await rows.count()).toBe(4);

      // a node's provenance on click
      await page.click('#nodes tbody tr[data-node="n3"]');
      await expect.poll(() => page.locator('#fields tbody').textContent()).toContain('10.0.7.3');
      const fields = await page.locator('#fields tbody tr').allTextContents();
      expect(fields).toContain('Containerdefaultsuse');
      expect(fields).toContain('KernelOverride--1.1.1');

      await page.screenshot({ path: artifactPath('dashboard.png'), fullPage: true });
      expect(problems).toEqual([]);
      console.log(`dashboard: wwctl change shown ${ms} ms after wwctl exited`);
    } finally {
      await ctx.close();
    }
  }, 120_000);
});
