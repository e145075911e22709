import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as ioClient } from 'socket.io-client';
import { isDatabaseUnavailable } from '../../server/db/unavailable';
import { inboundParams, postSignedWebhook } from '../../server/dev/twilio-stand-in/inbound';
import { startInstance, type ServerInstance } from '../support/instance';
import { cuttableProxy } from '../support/proxy';
import { conversationWith, customer } from '../support/stack';
import { UNAVAILABLE } from '../../server/sockets/handled';
import { useTestStack } from '../support/fixture';

/** PostgreSQL out of reach for a moment: clear 503s that Twilio retries, and nothing lost or doubled. */
describe('When PostgreSQL is briefly unreachable', () => {
  const ctx = useTestStack({ orgs: { org: 1 } });
  let proxy: Awaited<ReturnType<typeof cuttableProxy>>;
  let instance: ServerInstance;

  beforeAll(async () => {
    const pg = new URL(ctx.stack.config.databaseUrl);
    proxy = await cuttableProxy(Number(pg.port));
    const viaProxy = new URL(ctx.stack.config.databaseUrl);
    viaProxy.port = new URL(proxy.url).port;
    // A production-like instance whose database connections go through the cuttable proxy.
    instance = await startInstance(ctx.stack, { DATABASE_URL: viaProxy.toString() });
  });
  afterAll(async () => {
    await instance?.stop();
    await proxy?.close();
  });

  it('answers webhooks and health checks with 503 (Retry-After) while it is away, and the retry stores the message once', async () => {
    const params = inboundParams({ accountSid: ctx.stack.config.twilio.accountSid, from: customer(), to: ctx.org.number, body: 'Sent during the outage' });
    const post = () =>
      postSignedWebhook(`${instance.url}/api/webhooks/twilio`, ctx.stack.config.twilio.authToken, params, `${ctx.stack.config.publicUrl}/api/webhooks/twilio`);
    proxy.setUp(false);
    const during = await post();
    expect(during.status).toBe(503);
    expect(during.headers.get('retry-after')).toBe('1');
    expect(await during.json()).toEqual({ error: 'unavailable', message: 'The database is unavailable; try again shortly' });
    expect((await fetch(`${instance.url}/api/health`)).status).toBe(503);

    proxy.setUp(true);
    // Twilio retries; the pool reconnects on its own.
    const after = await post();
    expect(after.status).toBe(200);
    expect((await post()).status).toBe(200); // a second retry changes nothing
    const rows = await ctx.stack.db.query('select count(*)::int as n from messages where twilio_sid = $1', [params.MessageSid]);
    expect(rows.rows[0].n).toBe(1);
    expect((await fetch(`${instance.url}/api/health`)).status).toBe(200);
  });

  it('tells an agent whose socket connects while it is away to try again (not that it is unauthorised), and lets it in after', async () => {
    const attempt = () =>
      new Promise<string>((resolve) => {
        const s = ioClient(instance.url, { transports: ['websocket'], auth: { token: ctx.org.agents[0]!.token }, reconnection: false, forceNew: true });
        s.once('connect', () => (s.close(), resolve('connected')));
        s.once('connect_error', (err) => (s.close(), resolve(err.message)));
      });
    proxy.setUp(false);
    expect(await attempt()).toBe('unavailable: the database is unavailable; try again shortly');
    proxy.setUp(true);
    expect(await attempt()).toBe('connected');
  });

  it('answers an agent’s events that need it with "try again" while it is away, and keeps every socket of the instance', async () => {
    const { id } = await conversationWith(ctx.stack, ctx.org, 'Before the outage');
    const s = ioClient(instance.url, { transports: ['websocket'], auth: { token: ctx.org.agents[0]!.token }, reconnection: false, forceNew: true });
    try {
      await new Promise<void>((resolve, reject) => (s.once('connect', resolve), s.once('connect_error', reject)));
      proxy.setUp(false);
      // Each would be an unhandled rejection without its handler's guard: Node would end the process, and every agent's socket with it.
      expect(await s.emitWithAck('conversation:join', { conversationId: id })).toEqual({ error: UNAVAILABLE });
      expect(await s.emitWithAck('conversations:watch', { conversationIds: [id] })).toEqual({ error: UNAVAILABLE });
      expect(s.connected).toBe(true);
      proxy.setUp(true);
      // The same socket, the same process: the pool reconnects on its own and the events work again.
      expect(await s.emitWithAck('conversation:join', { conversationId: id })).toMatchObject({ data: { viewing: { conversationId: id } } });
      expect(await s.emitWithAck('conversations:watch', { conversationIds: [id] })).toEqual({ data: { watching: 1 } });
      expect(s.connected).toBe(true);
    } finally {
      proxy.setUp(true);
      s.close();
    }
  });

  it('tells connection failures from other errors', () => {
    expect(isDatabaseUnavailable(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }))).toBe(true);
    expect(isDatabaseUnavailable(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error('duplicate key'), { code: '23505' }))).toBe(false);
    expect(isDatabaseUnavailable(new Error('boom'))).toBe(false);
  });
});
