import twilio from 'twilio';
import { describe, expect, it } from 'vitest';
import { inboundParams, newSid } from '../../server/dev/twilio-stand-in/inbound';
import { customer, type TestStack } from '../support/stack';
import { useTestStack } from '../support/fixture';

async function count(stack: TestStack, sql: string): Promise<number> {
  return Number((await stack.db.query<{ n: string }>(`select count(*) as n from ${sql}`)).rows[0]!.n);
}

describe('Twilio webhook signature', () => {
  const ctx = useTestStack({ orgs: { org: 0 } });

  const post = (params: Record<string, string>, signature?: string) =>
    fetch(ctx.stack.webhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...(signature ? { 'x-twilio-signature': signature } : {}) },
      body: new URLSearchParams(params).toString(),
    });

  it('answers the health checks the original guide had (webhook, Socket.IO for operators) and the database one', async () => {
    const get = async (path: string) =>
      (await fetch(ctx.stack.serverUrl + path, { headers: { authorization: `Bearer ${ctx.stack.config.operatorToken}` } })).json();
    expect(await get('/api/webhooks/twilio')).toMatchObject({ status: 'ok', service: 'twilio-webhook' });
    expect(await get('/api/socket')).toMatchObject({ status: 'up', connections: 0 });
    expect(await get('/api/health')).toEqual({ status: 'ok' });
    expect(((await get('/api/metrics')) as { requests: Record<string, number> }).requests['GET /api/health']).toBe(1);
  });

  it('accepts a correctly signed message and answers with empty TwiML', async () => {
    const res = await ctx.stack.inbound({ from: customer(), to: ctx.org.number, body: 'hello' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/xml/);
    expect(await res.text()).toContain('<Response/>');
    expect(await count(ctx.stack, `messages where twilio_sid = '${res.params.MessageSid}'`)).toBe(1);
  });

  it('rejects a forged signature with 403 and writes nothing', async () => {
    const params = inboundParams({ accountSid: ctx.stack.config.twilio.accountSid, from: customer(), to: ctx.org.number, body: 'forged' });
    const forged = twilio.getExpectedTwilioSignature('not-the-auth-token-at-all', ctx.stack.webhookUrl, params);
    const before = await count(ctx.stack, 'contacts');
    const res = await post(params, forged);
    expect(res.status).toBe(403);
    expect(await count(ctx.stack, `messages where twilio_sid = '${params.MessageSid}'`)).toBe(0);
    expect(await count(ctx.stack, `unrouted_messages where twilio_sid = '${params.MessageSid}'`)).toBe(0);
    expect(await count(ctx.stack, 'contacts')).toBe(before);
  });

  it('rejects a missing signature with 403', async () => {
    const params = inboundParams({ accountSid: ctx.stack.config.twilio.accountSid, from: customer(), to: ctx.org.number, body: 'unsigned' });
    const res = await post(params);
    expect(res.status).toBe(403);
    expect(await count(ctx.stack, `messages where twilio_sid = '${params.MessageSid}'`)).toBe(0);
  });

  it('rejects a body changed after signing (a replayed signature on other fields)', async () => {
    const params = inboundParams({ accountSid: ctx.stack.config.twilio.accountSid, from: customer(), to: ctx.org.number, body: 'original' });
    const signature = twilio.getExpectedTwilioSignature(ctx.stack.config.twilio.authToken, ctx.stack.webhookUrl, params);
    const res = await post({ ...params, Body: 'tampered', MessageSid: newSid('SM') }, signature);
    expect(res.status).toBe(403);
  });

  it('rejects a signature computed over another URL', async () => {
    const params = inboundParams({ accountSid: ctx.stack.config.twilio.accountSid, from: customer(), to: ctx.org.number });
    const signature = twilio.getExpectedTwilioSignature(ctx.stack.config.twilio.authToken, 'https://evil.example/api/webhooks/twilio', params);
    expect((await post(params, signature)).status).toBe(403);
  });
});

describe('Twilio webhook behind a proxy (PUBLIC_URL)', () => {
  const ctx2 = useTestStack({ env: { PUBLIC_URL: 'https://inbox.example.com' }, orgs: { org: 0 } });

  it('validates against the public URL Twilio called, not the local one', async () => {
    // stack.inbound signs over PUBLIC_URL, as Twilio does.
    const ok = await ctx2.stack.inbound({ from: customer(), to: ctx2.org.number, body: 'via proxy' });
    expect(ok.status).toBe(200);
    const params = inboundParams({ accountSid: ctx2.stack.config.twilio.accountSid, from: customer(), to: ctx2.org.number });
    const localSigned = twilio.getExpectedTwilioSignature(ctx2.stack.config.twilio.authToken, ctx2.stack.webhookUrl, params);
    const res = await fetch(ctx2.stack.webhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': localSigned },
      body: new URLSearchParams(params).toString(),
    });
    expect(res.status).toBe(403);
  });
});
