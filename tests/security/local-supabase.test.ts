import bcrypt from 'bcryptjs';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { REALTIME_LIMITS } from '../../server/dev/local-supabase/realtime/server';
import { createTestOrg, startTestStack, type TestOrg, type TestStack } from '../support/stack';

/**
 * The local Supabase-compatible stack (Auth and Realtime) as an attacker meets it: made-up keys,
 * calls from a web page, floods, and password guessing.
 */
describe('Local Supabase: keys, origins, limits and sign-in', () => {
  let stack: TestStack;
  let org: TestOrg;
  const open: WebSocket[] = [];

  beforeAll(async () => {
    stack = await startTestStack({ CONNECTIONS_PER_IP: '6', SIGN_INS_PER_IP: '8', SIGN_INS_PER_EMAIL: '3' });
    org = await createTestOrg(stack, 1); // one sign-in from 127.0.0.1
  });
  afterEach(() => {
    for (const ws of open.splice(0)) ws.terminate();
  });
  afterAll(() => stack?.stop());

  const realtimeUrl = (apikey: string) =>
    `${stack.config.supabaseUrl.replace(/^http/, 'ws')}/realtime/v1/websocket?apikey=${encodeURIComponent(apikey)}&vsn=1.0.0`;
  /** Opens a raw Realtime socket: resolves with it, or with the HTTP status that refused it. */
  const connect = (apikey: string, headers: Record<string, string> = {}) =>
    new Promise<{ ws: WebSocket } | { status: number }>((resolve) => {
      const ws = new WebSocket(realtimeUrl(apikey), { headers });
      ws.once('open', () => (open.push(ws), resolve({ ws })));
      ws.once('unexpected-response', (_req, res) => resolve({ status: res.statusCode ?? 0 }));
      ws.once('error', () => resolve({ status: -1 }));
    });
  let ref = 0;
  const joinRefs = new Map<string, string>();
  /** Sends a Phoenix frame (vsn 1.0.0) and resolves with its reply; other events carry their channel's join_ref. */
  const call = (ws: WebSocket, topic: string, event: string, payload: Record<string, unknown>) =>
    new Promise<{ status: string; response: Record<string, unknown> }>((resolve) => {
      const r = String(++ref);
      const onMessage = (data: Buffer) => {
        const f = JSON.parse(data.toString()) as { ref: string; event: string; payload: { status: string; response: Record<string, unknown> } };
        if (f.ref === r && f.event === 'phx_reply') {
          ws.off('message', onMessage);
          resolve(f.payload);
        }
      };
      ws.on('message', onMessage);
      if (event === 'phx_join') joinRefs.set(topic, r);
      ws.send(JSON.stringify({ topic, event, payload, ref: r, join_ref: joinRefs.get(topic) ?? null }));
    });
  const closed = (ws: WebSocket) => new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));

  it('a made-up sb_secret_ or sb_publishable_ key is refused; the project’s own keys work', async () => {
    expect(await connect('sb_secret_made-up-by-an-attacker')).toEqual({ status: 401 });
    expect(await connect('sb_publishable_made-up')).toEqual({ status: 401 });
    expect(await connect(`${stack.local!.secretKey}x`)).toEqual({ status: 401 });
    expect('ws' in (await connect(stack.local!.secretKey))).toBe(true);
    expect('ws' in (await connect(stack.local!.publishableKey))).toBe(true);
  });

  it('a web page cannot open Realtime or call Auth; the extension can', async () => {
    expect(await connect(stack.config.supabaseAnonKey, { origin: 'https://crm.evil.example' })).toEqual({ status: 403 });
    expect('ws' in (await connect(stack.config.supabaseAnonKey, { origin: 'chrome-extension://abcdefghijklmnop' }))).toBe(true);
    const signIn = (origin: string) =>
      fetch(`${stack.config.supabaseUrl}/auth/v1/token?grant_type=password`, {
        method: 'POST',
        headers: { origin, 'content-type': 'application/json', apikey: stack.config.supabaseAnonKey },
        body: JSON.stringify({ email: org.agents[0]!.email, password: 'wrong' }),
      });
    expect((await signIn('https://crm.evil.example')).status).toBe(403);
    const preflight = await fetch(`${stack.config.supabaseUrl}/auth/v1/token`, {
      method: 'OPTIONS',
      headers: { origin: 'https://crm.evil.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('caps channels, bindings, presence payloads and frames per connection', async () => {
    const c = await connect(stack.config.supabaseAnonKey);
    if (!('ws' in c)) throw new Error('not connected');
    const { ws } = c;
    const tooManyBindings = Array.from({ length: REALTIME_LIMITS.bindingsPerConnection + 1 }, () => ({ event: '*', schema: 'public', table: 'messages' }));
    const joinBindings = await call(ws, 'realtime:bindings', 'phx_join', { config: { postgres_changes: tooManyBindings } });
    expect(joinBindings).toMatchObject({ status: 'error', response: { reason: expect.stringMatching(/bindings/) } });
    for (let i = 0; i < REALTIME_LIMITS.channelsPerConnection; i++) {
      expect((await call(ws, `realtime:ch${i}`, 'phx_join', { config: { presence: { key: `k${i}`, enabled: true } } })).status).toBe('ok');
    }
    const oneMore = await call(ws, 'realtime:one-more', 'phx_join', { config: {} });
    expect(oneMore).toMatchObject({ status: 'error', response: { reason: expect.stringMatching(/Too many channels/) } });
    const big = await call(ws, 'realtime:ch0', 'presence', {
      type: 'presence',
      event: 'track',
      payload: { blob: 'x'.repeat(REALTIME_LIMITS.presencePayloadBytes) },
    });
    expect(big).toMatchObject({ status: 'error', response: { reason: expect.stringMatching(/too large/) } });
    const gone = closed(ws);
    ws.send(JSON.stringify({ topic: 'realtime:ch0', event: 'broadcast', payload: { x: 'y'.repeat(REALTIME_LIMITS.frameBytes) }, ref: '1', join_ref: '1' }));
    expect(await gone).toBe(1009); // message too big
  });

  it('a flooding connection is cut and other clients stay served', async () => {
    const [a, b] = await Promise.all([connect(stack.config.supabaseAnonKey), connect(stack.config.supabaseAnonKey)]);
    if (!('ws' in a) || !('ws' in b)) throw new Error('not connected');
    const gone = closed(a.ws);
    for (let i = 0; i < REALTIME_LIMITS.framesPerSecond * 2; i++)
      a.ws.send(JSON.stringify({ topic: 'phoenix', event: 'heartbeat', payload: {}, ref: `h${i}` }));
    expect(await gone).toBe(1008);
    expect(await call(b.ws, 'phoenix', 'heartbeat', {})).toEqual({ status: 'ok', response: {} });
  });

  it('refuses connections over the per-address limit, and accepts again once one closes', async () => {
    const conns = [];
    for (let i = 0; i < 6; i++) conns.push(await connect(stack.config.supabaseAnonKey));
    expect(conns.every((c) => 'ws' in c)).toBe(true);
    expect(await connect(stack.config.supabaseAnonKey)).toEqual({ status: 429 });
    const first = conns[0] as { ws: WebSocket };
    const gone = closed(first.ws);
    first.ws.close();
    await gone;
    await vi.waitFor(async () => expect('ws' in (await connect(stack.config.supabaseAnonKey))).toBe(true));
  });

  describe('password sign-in', () => {
    const signIn = (email: string, password: string, headers: Record<string, string> = {}) =>
      fetch(`${stack.config.supabaseUrl}/auth/v1/token?grant_type=password`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', apikey: stack.config.supabaseAnonKey, ...headers },
        body: JSON.stringify({ email, password }),
      });

    it('an unknown email costs the same bcrypt comparison as a wrong password', async () => {
      const compare = vi.spyOn(bcrypt, 'compare');
      try {
        expect((await signIn('nobody-here@test.dev', 'guess')).status).toBe(400);
        expect(compare).toHaveBeenCalledTimes(1);
        expect(String(compare.mock.calls[0]![1])).toMatch(/^\$2[aby]\$10\$/); // same cost as a real hash
      } finally {
        compare.mockRestore();
      }
    });

    it('a banned user cannot refresh the session it had', async () => {
      const res = await signIn(org.agents[0]!.email, 'correct horse battery');
      const { refresh_token } = (await res.json()) as { refresh_token: string };
      await stack.db.query(`update auth.users set banned_until = now() + interval '1 day' where email = $1`, [org.agents[0]!.email]);
      try {
        const refresh = await fetch(`${stack.config.supabaseUrl}/auth/v1/token?grant_type=refresh_token`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', apikey: stack.config.supabaseAnonKey },
          body: JSON.stringify({ refresh_token }),
        });
        expect(refresh.status).toBe(400);
        expect(((await refresh.json()) as { code: string }).code).toBe('user_banned');
      } finally {
        await stack.db.query('update auth.users set banned_until = null where email = $1', [org.agents[0]!.email]);
      }
    });

    it('guessing one account’s password is stopped per email, then per address (X-Forwarded-For is not believed)', async () => {
      // So far from 127.0.0.1: createTestOrg, the two origin checks (one refused before counting), two above.
      const victim = 'victim@test.dev';
      const answers = [];
      for (let i = 0; i < 4; i++) answers.push((await signIn(victim, `guess ${i}`)).status);
      expect(answers).toEqual([400, 400, 400, 429]);
      const limited = await signIn(victim, 'guess 5');
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(((await limited.json()) as { code: string }).code).toBe('over_request_rate_limit');
      // Other emails from the same address, each claiming to come from elsewhere.
      const spread = [];
      for (let i = 0; i < 6; i++) spread.push((await signIn(`someone${i}@test.dev`, 'guess', { 'x-forwarded-for': `203.0.113.${i}` })).status);
      expect(spread).toContain(429);
    });
  });
});
