import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MeResponse } from '../../lib/contract/api';
import { inboundParams, postSignedWebhook } from '../../server/dev/twilio-stand-in/inbound';
import { useTestStack } from '../support/fixture';
import { startInstance, type ServerInstance } from '../support/instance';
import { customer } from '../support/stack';

/** The server as production runs it: built to plain JavaScript (`npm run build:server`), started with Node alone. */
describe('The production build of the server', () => {
  const ctx = useTestStack({ orgs: { org: 1 } });
  let built: ServerInstance;

  beforeAll(async () => {
    const build = spawnSync('npm', ['run', 'build:server'], { cwd: resolve(import.meta.dirname, '..', '..'), encoding: 'utf8' });
    expect(build.status, build.stderr).toBe(0);
    built = await startInstance(ctx.stack, {}, { from: 'built' });
  }, 60_000);
  afterAll(() => built?.stop());

  it('serves the API, checks tokens and stores a signed webhook', async () => {
    expect((await fetch(`${built.url}/api/health`)).status).toBe(200);
    const me = await fetch(`${built.url}/api/me`, { headers: { authorization: `Bearer ${ctx.org.agents[0]!.token}` } });
    expect(((await me.json()) as MeResponse).id).toBe(ctx.org.agents[0]!.id);
    expect((await fetch(`${built.url}/api/me`)).status).toBe(401);
    const params = inboundParams({ accountSid: ctx.stack.config.twilio.accountSid, from: customer(), to: ctx.org.number, body: 'Built and running' });
    const res = await postSignedWebhook(`${built.url}/api/webhooks/twilio`, ctx.stack.config.twilio.authToken, params, `${ctx.stack.config.publicUrl}/api/webhooks/twilio`);
    expect(res.status).toBe(200);
    const stored = await ctx.stack.db.query('select body from messages where twilio_sid = $1', [params.MessageSid]);
    expect(stored.rows).toEqual([{ body: 'Built and running' }]);
    // The demo CRM page ships with it (read from beside the bundle).
    expect((await fetch(`${built.url}/demo/crm`)).status).toBe(200);
  });
});
