import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXTENSION_DIR } from '../support/browser';

const files = (dir: string): string[] => readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? files(join(dir, f)) : [join(dir, f)]));

/** The built extension, as users load it: no secret inside, a strict CSP, no remote code. */
describe('Built extension bundle', () => {
  const text = files(EXTENSION_DIR)
    .filter((f) => /\.(js|html|json|css)$/.test(f))
    .map((f) => readFileSync(f, 'utf8'))
    .join('\n');

  it('holds no service-role key, JWT secret or Twilio credentials', () => {
    for (const token of text.match(/eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+/g) ?? []) {
      const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { role?: string };
      expect(claims.role).not.toBe('service_role');
    }
    expect(text).not.toMatch(/sb_secret_/);
    expect(text).not.toMatch(/AC[0-9a-f]{32}/);
    expect(text).not.toMatch(/jwtSecret|SUPABASE_JWT_SECRET|TWILIO_AUTH_TOKEN|SERVICE_ROLE_KEY/);
  });

  it('declares a strict CSP for extension pages and loads no remote script', () => {
    const manifest = JSON.parse(readFileSync(join(EXTENSION_DIR, 'manifest.json'), 'utf8'));
    expect(manifest.content_security_policy.extension_pages).toMatch(/^script-src 'self'; object-src 'self'/);
    expect(text).not.toMatch(/<script[^>]+src=["']https?:/);
    expect(manifest.minimum_chrome_version).toBe('116');
  });
});
