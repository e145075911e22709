import { describe, expect, it } from 'vitest';
import type { WorkspaceConfig } from '../../lib/contract/api';
import { useTestStack } from '../support/fixture';

/** `GET /api/config`: what an extension needs besides the workspace URL, and nothing secret. */
describe('The workspace’s public configuration', () => {
  const ctx = useTestStack({ env: { WORKSPACE_NAME: 'Acme Support', MIN_EXTENSION_VERSION: '0.1.0' } });

  it('publishes Supabase’s URL and anon key, the workspace’s name and the oldest extension it accepts', async () => {
    const res = await fetch(`${ctx.stack.serverUrl}/api/config`, { headers: { origin: 'chrome-extension://abcdefghijklmnopabcdefghijklmnop' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('chrome-extension://abcdefghijklmnopabcdefghijklmnop');
    const text = await res.text();
    expect(JSON.parse(text) as WorkspaceConfig).toEqual({
      supabaseUrl: ctx.stack.config.supabaseUrl,
      supabaseAnonKey: ctx.stack.config.supabaseAnonKey,
      workspaceName: 'Acme Support',
      minExtensionVersion: '0.1.0',
    });
    for (const secret of [ctx.stack.local!.serviceRoleKey, ctx.stack.config.jwtSecret!, ctx.stack.config.twilio.authToken, ctx.stack.config.operatorToken!]) {
      expect(text).not.toContain(secret);
    }
  });

  it('is not for web pages (a CRM page cannot read it)', async () => {
    const res = await fetch(`${ctx.stack.serverUrl}/api/config`, { headers: { origin: 'https://crm.example.com' } });
    expect(res.status).toBe(403);
  });
});
