import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { EXTENSION_DIR } from '../support/browser';
import { buildExtension } from './build-extension';

const FIREFOX_DIR = resolve(EXTENSION_DIR, '..', 'firefox-mv2');
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
    for (const page of ['sidepanel.html', 'options.html', 'background.js']) expect(files(FIREFOX_DIR).map((f) => f.slice(FIREFOX_DIR.length + 1))).toContain(page);
    expectNoSecrets(bundleText(FIREFOX_DIR));
  });
});
