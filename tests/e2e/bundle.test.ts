import { spawnSync } from 'node:child_process';
import JSZip from 'jszip';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXTENSION_DIR } from '../support/browser';
import { buildExtension } from './build-extension';

const FIREFOX_DIR = resolve(EXTENSION_DIR, '..', 'firefox-mv2');
const ROOT = resolve(EXTENSION_DIR, '..', '..');
const files = (dir: string): string[] => readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? files(join(dir, f)) : [join(dir, f)]));
const bundleText = (dir: string) =>
  files(dir)
    .filter((f) => /\.(js|html|json|css)$/.test(f))
    .map((f) => readFileSync(f, 'utf8'))
    .join('\n');

/** What must never be in a build users load: secrets of the server, Supabase or Twilio. */
function expectNoSecrets(text: string): void {
  for (const token of text.match(/eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+/g) ?? []) {
    const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { role?: string };
    expect(claims.role).not.toBe('service_role');
  }
  expect(text).not.toMatch(/sb_secret_/);
  expect(text).not.toMatch(/AC[0-9a-f]{32}/);
  expect(text).not.toMatch(/jwtSecret|SUPABASE_JWT_SECRET|TWILIO_AUTH_TOKEN|SERVICE_ROLE_KEY/);
}

/** The built extension, as users load it: no secret inside, a strict CSP, no remote code. */
describe('Built extension bundle', () => {
  const text = bundleText(EXTENSION_DIR);

  it('holds no service-role key, JWT secret or Twilio credentials', () => expectNoSecrets(text));

  it('is a production build: React without its development checks', () => {
    // jsxDEV and the development warnings are only in React's development bundle.
    expect(text).not.toMatch(/jsxDEV|react_stack_bottom_frame/);
  });

  it('declares a strict CSP for extension pages and loads no remote script', () => {
    const manifest = JSON.parse(readFileSync(join(EXTENSION_DIR, 'manifest.json'), 'utf8'));
    expect(manifest.content_security_policy.extension_pages).toMatch(/^script-src 'self'; object-src 'self'/);
    expect(text).not.toMatch(/<script[^>]+src=["']https?:/);
    expect(manifest.minimum_chrome_version).toBe('116');
  });
});

describe('Firefox build', () => {
  beforeAll(() => {
    buildExtension('-b', 'firefox');
  });

  it('builds an MV2 extension whose side panel is the sidebar, with the same strict CSP and no secret', () => {
    const manifest = JSON.parse(readFileSync(join(FIREFOX_DIR, 'manifest.json'), 'utf8'));
    expect(manifest.manifest_version).toBe(2);
    expect(manifest.sidebar_action).toMatchObject({ default_panel: 'sidepanel.html' });
    expect(manifest.permissions).not.toContain('sidePanel');
    expect(manifest.optional_permissions).toEqual(['https://*/*', 'http://*/*']);
    expect(manifest.background.scripts).toEqual(['background.js']);
    expect(manifest.content_security_policy).toMatch(/^script-src 'self'; object-src 'self'/);
    expect(manifest.browser_specific_settings.gecko.id).toBe('switchboard@switchboard.dev');
    expect(manifest.content_scripts.flatMap((c: { matches: string[] }) => c.matches)).toContain('https://app.hubspot.com/*');
    for (const page of ['sidepanel.html', 'options.html', 'background.js'])
      expect(files(FIREFOX_DIR).map((f) => f.slice(FIREFOX_DIR.length + 1))).toContain(page);
    expectNoSecrets(bundleText(FIREFOX_DIR));
  });

  it('passes addons.mozilla.org’s linter (web-ext lint) but for React DOM’s own innerHTML, which our code never uses', () => {
    const lint = spawnSync('npx', ['web-ext', 'lint', '--source-dir', FIREFOX_DIR, '--output', 'json', '--self-hosted=false'], { encoding: 'utf8', cwd: ROOT });
    const report = JSON.parse(lint.stdout) as { errors: LintMessage[]; warnings: LintMessage[]; notices: LintMessage[] };
    expect(report.errors).toEqual([]);
    // React DOM sets innerHTML for `dangerouslySetInnerHTML` (and one constant `<script>` element):
    // code we cannot change, and never reach: no source of ours uses it.
    const reactDom = (m: LintMessage) =>
      m.code === 'UNSAFE_VAR_ASSIGNMENT' && m.message.includes('innerHTML') && bundleText(FIREFOX_DIR).includes('dangerouslySetInnerHTML');
    expect(report.warnings.filter((m) => !reactDom(m)).map((m) => `${m.code} ${m.file}: ${m.message}`)).toEqual([]);
    expect(report.notices).toEqual([]);
    const ours = ['components', 'lib', 'entrypoints'].flatMap((d) => files(join(ROOT, d))).filter((f) => /\.tsx?$/.test(f));
    expect(ours.filter((f) => /dangerouslySetInnerHTML|\.innerHTML\s*=/.test(readFileSync(f, 'utf8')))).toEqual([]);
  }, 60_000);
});

describe('Store packages (npm run zip)', () => {
  const STORE_DIR = mkdtempSync(join(tmpdir(), 'switchboard-store-'));
  afterAll(() => rmSync(STORE_DIR, { recursive: true, force: true }));
  beforeAll(() => {
    // As a user runs it (NODE_ENV as in a shell: Vitest's `test` would build React's development bundle).
    // Into a directory of its own: the other end-to-end tests load the development build in .output/.
    const zip = spawnSync('npm', ['run', 'zip'], {
      encoding: 'utf8',
      cwd: ROOT,
      env: { ...process.env, NODE_ENV: 'production', WXT_DEMO_SITE: '', WXT_OUT_DIR: STORE_DIR },
    });
    if (zip.status !== 0) throw new Error(`npm run zip failed: ${zip.stderr}`);
  }, 120_000);
  const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  const open = (zip: string) => JSZip.loadAsync(readFileSync(join(STORE_DIR, zip)));

  it('packs Chrome and Firefox builds named and versioned from package.json', async () => {
    for (const target of ['chrome', 'firefox']) {
      const zip = await open(`switchboard-${version}-${target}.zip`);
      const manifest = JSON.parse(await zip.file('manifest.json')!.async('string')) as { version: string };
      expect(manifest.version).toBe(version);
      expect(Object.keys(zip.files)).toEqual(expect.arrayContaining(['background.js', 'sidepanel.html', 'options.html']));
    }
  });

  it('inject into the built-in CRMs only: no development page (the local stack’s demo on 127.0.0.1 or localhost)', async () => {
    for (const target of ['chrome', 'firefox']) {
      const manifest = JSON.parse(await (await open(`switchboard-${version}-${target}.zip`)).file('manifest.json')!.async('string')) as {
        content_scripts: Array<{ matches: string[] }>;
      };
      const matches = manifest.content_scripts.flatMap((c) => c.matches);
      expect(matches).toEqual(expect.arrayContaining(['https://app.hubspot.com/*']));
      expect(matches.filter((m) => /127\.0\.0\.1|localhost|\/demo\//.test(m))).toEqual([]);
    }
  });

  it('gives addons.mozilla.org the extension’s sources only: no server, tests, local secrets or builds', async () => {
    const names = Object.keys((await open(`switchboard-${version}-sources.zip`)).files);
    expect(names).toEqual(expect.arrayContaining(['package.json', 'wxt.config.ts', 'entrypoints/background.ts']));
    expect(names.filter((n) => /^(server|tests|bench|bench-results|dist|docs|supabase|\.switchboard|\.output|node_modules)\/|^\.env/.test(n))).toEqual([]);
  });
});

interface LintMessage {
  code: string;
  file?: string;
  message: string;
}
