import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MeResponse } from '../../lib/contract/api';
import { inboundParams, postSignedWebhook } from '../../server/dev/twilio-stand-in/inbound';
import { parseEnv } from '../../server/config';
import { createLogger } from '../../server/logger';
import { startStack } from '../../server/stack';
import { useTestStack } from '../support/fixture';
import { startInstance, type ServerInstance } from '../support/instance';
import { customer } from '../support/stack';

const ROOT = resolve(import.meta.dirname, '..', '..');
/** esbuild's account of what went into the bundle. */
const META = join(ROOT, 'dist', 'server', 'meta.json');

/** The server as production runs it: built to plain JavaScript (`npm run build:server`), started with Node alone. */
describe('The production build of the server', () => {
  const ctx = useTestStack({ orgs: { org: 1 } });
  let built: ServerInstance;

  beforeAll(async () => {
    const build = spawnSync('npm', ['run', 'build:server', '--', `--metafile=${META}`], { cwd: ROOT, encoding: 'utf8' });
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
    const res = await postSignedWebhook(
      `${built.url}/api/webhooks/twilio`,
      ctx.stack.config.twilio.authToken,
      params,
      `${ctx.stack.config.publicUrl}/api/webhooks/twilio`,
    );
    expect(res.status).toBe(200);
    const stored = await ctx.stack.db.query('select body from messages where twilio_sid = $1', [params.MessageSid]);
    expect(stored.rows).toEqual([{ body: 'Built and running' }]);
    // The local stack's demo page is no route of the production server.
    expect((await fetch(`${built.url}/demo/crm`)).status).toBe(404);
  });

  it('without DATABASE_URL, says what is missing instead of starting a local stack', async () => {
    const env = parseEnv({ HOST: '127.0.0.1', PORT: '0', SWITCHBOARD_HOME: ctx.stack.home, LOG_LEVEL: 'silent' });
    await expect(startStack(env, createLogger('silent'))).rejects.toThrow(/DATABASE_URL: required/);
  });

  it('contains nothing of server/dev/ (the local stack, the stand-ins, the demo)', () => {
    const inputs = Object.keys((JSON.parse(readFileSync(META, 'utf8')) as { inputs: Record<string, unknown> }).inputs);
    expect(inputs).toContain('server/main.ts');
    expect(inputs.length).toBeGreaterThan(50);
    expect(inputs.filter((p) => p.includes('server/dev/'))).toEqual([]);
  });
});
