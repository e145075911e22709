import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page, type Worker } from 'playwright-core';

export const EXTENSION_DIR = resolve(import.meta.dirname, '..', '..', '.output', 'chrome-mv3');

/** Debian's Chromium (or CHROMIUM_PATH); Playwright never downloads a browser here. */
export function chromiumPath(): string {
  const path = process.env.CHROMIUM_PATH ?? ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find((p) => existsSync(p));
  if (!path) throw new Error('No Chromium found: install Debian’s chromium package or set CHROMIUM_PATH');
  return path;
}

export interface ExtensionBrowser {
  context: BrowserContext;
  extensionId: string;
  worker: Worker;
  page(path: string): Promise<Page>;
  badgeText(): Promise<string>;
  /** What the extension keeps on disk about the inbox: its storage items and its IndexedDB cache, as one JSON text. */
  storedOnDevice(): Promise<string>;
  close(): Promise<void>;
}

/**
 * A copy of the built extension whose manifest already holds the host permission for `origins`,
 * as if the agent had accepted the browser's prompt: headless Chromium shows that prompt and
 * nothing can answer it. Everything after the grant is the product's code.
 */
function buildWithGrantedOrigins(origins: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-ext-'));
  cpSync(EXTENSION_DIR, dir, { recursive: true });
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
  manifest.host_permissions = [...(manifest.host_permissions ?? []), ...origins.map((o) => `${o}/*`)];
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
  return dir;
}

/** Where Chromium on Linux reads the machine's mandatory policies (root only). */
const POLICY_DIR = '/etc/chromium/policies/managed';

/** The ID Chromium gives an unpacked extension: from the SHA-256 of its path, hex digits as a to p. */
export function unpackedExtensionId(dir: string): string {
  return [...createHash('sha256').update(realpathSync(dir)).digest('hex').slice(0, 32)].map((c) => String.fromCharCode(97 + parseInt(c, 16))).join('');
}

/**
 * Real Chromium with the built extension loaded, in a fresh profile. `managedPolicy`: what IT would
 * push to the extension (`storage.managed`), written as the machine's Chromium policy for this copy
 * of the extension only (its own path, so its own ID), and removed on close.
 */
export async function launchWithExtension(opts: { grantedOrigins?: string[]; managedPolicy?: Record<string, unknown> } = {}): Promise<ExtensionBrowser> {
  const profile = mkdtempSync(join(tmpdir(), 'switchboard-chromium-'));
  const extensionDir = opts.grantedOrigins?.length || opts.managedPolicy ? buildWithGrantedOrigins(opts.grantedOrigins ?? []) : EXTENSION_DIR;
  let policyFile: string | null = null;
  if (opts.managedPolicy) {
    mkdirSync(POLICY_DIR, { recursive: true });
    policyFile = join(POLICY_DIR, `switchboard-test-${unpackedExtensionId(extensionDir)}.json`);
    writeFileSync(policyFile, JSON.stringify({ '3rdparty': { extensions: { [unpackedExtensionId(extensionDir)]: opts.managedPolicy } } }));
  }
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath(),
    headless: true,
    args: [
      `--disable-extensions-except=${extensionDir}`,
      `--load-extension=${extensionDir}`,
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const worker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker'));
  const extensionId = new URL(worker.url()).host;
  return {
    context,
    extensionId,
    worker,
    page: async (path) => {
      const page = await context.newPage();
      await page.goto(`chrome-extension://${extensionId}/${path}`);
      return page;
    },
    badgeText: () => worker.evaluate(() => chrome.action.getBadgeText({})),
    storedOnDevice: () =>
      worker.evaluate(async () => {
        const items = await chrome.storage.local.get(null);
        const cache: Record<string, unknown[]> = {};
        const db = await new Promise<IDBDatabase>((resolve, reject) => {
          const open = indexedDB.open('switchboard-inbox');
          open.onsuccess = () => resolve(open.result);
          open.onerror = () => reject(open.error);
        });
        for (const name of db.objectStoreNames) {
          cache[name] = await new Promise((resolve, reject) => {
            const all = db.transaction(name).objectStore(name).getAll();
            all.onsuccess = () => resolve(all.result);
            all.onerror = () => reject(all.error);
          });
        }
        db.close();
        return JSON.stringify({ items, cache });
      }),
    close: async () => {
      await context.close();
      if (policyFile) rmSync(policyFile, { force: true });
      rmSync(profile, { recursive: true, force: true });
      if (extensionDir !== EXTENSION_DIR) rmSync(extensionDir, { recursive: true, force: true });
    },
  };
}

/** Connects the options page to the stack by its workspace URL alone (the server publishes the rest) and signs in. */
export async function configureAndSignIn(browser: ExtensionBrowser, urls: { serverUrl: string }, email: string, password: string): Promise<Page> {
  const options = await browser.page('options.html');
  await options.getByLabel('Workspace URL').fill(urls.serverUrl);
  await options.getByRole('button', { name: 'Connect', exact: true }).click();
  await options
    .getByRole('status')
    .filter({ hasText: /^Connected to / })
    .waitFor();
  await options.getByLabel('Email').fill(email);
  await options.getByLabel('Password').fill(password);
  await options.getByRole('button', { name: 'Sign in' }).click();
  await options.getByText('Signed in as').waitFor();
  return options;
}

/** Chromium with the extension, signed in as `email` against `stack`, with the side panel open in a tab. */
export async function signedInBrowser(
  stack: { serverUrl: string },
  email: string,
  password = 'correct horse battery',
  launch: { grantedOrigins?: string[] } = {},
): Promise<{ browser: ExtensionBrowser; options: Page; panel: Page }> {
  const browser = await launchWithExtension(launch);
  const options = await configureAndSignIn(browser, { serverUrl: stack.serverUrl }, email, password);
  return { browser, options, panel: await browser.page('sidepanel.html') };
}

/**
 * The side panel's list shows everyone's conversations (*All*), as a test of colleagues' rows
 * needs: by default it shows the agent's own inbox (docs/delivery-scope.md). Kept on the device.
 */
export async function showEveryone(panel: Page): Promise<void> {
  await panel.locator('[data-filter="assignee:all"]').click();
  await panel.locator('[data-filter="assignee:all"][aria-pressed="true"]').waitFor();
}
