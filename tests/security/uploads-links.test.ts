import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { UploadTicket, UploadView } from '../../lib/contract/api';
import { WHATSAPP_MESSAGE_MAX_BYTES } from '../../lib/contract/whatsapp';
import { SECRET_PARAMETERS } from '../../server/logger';
import { createMessageMediaSigner } from '../../server/media/routes';
import { createDiskStorage } from '../../server/media/storage';
import { createUploadSigner, sweepUnsentUploads } from '../../server/media/uploads';
import { useTestStack } from '../support/fixture';
import { api, createTestOrg, customer, type TestStack } from '../support/stack';
import { until } from '../support/wait';

const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

/**
 * An upload of `declared` bytes of which only the first 64 KB are sent: the answer must come
 * without the rest (a server that reads the body first would wait for it, and the test time out).
 */
function partialUpload(
  url: string,
  declared = WHATSAPP_MESSAGE_MAX_BYTES,
  o: { method?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: { error?: string } }> {
  return new Promise((resolve, reject) => {
    const headers = { 'content-type': 'application/octet-stream', 'content-length': String(declared), 'x-file-name': 'big.png', ...o.headers };
    const req = request(url, { method: o.method ?? 'POST', headers }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => {
        req.destroy();
        resolve({ status: res.statusCode!, body: JSON.parse(text || '{}') as { error?: string } });
      });
    });
    req.on('error', reject);
    req.write(Buffer.alloc(64 * 1024));
  });
}

const uploadWith = async (url: string, bytes = PNG) => {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/octet-stream', 'x-file-name': 'pixel.png', 'x-file-type': 'image/png' },
    body: new Uint8Array(bytes),
  });
  return { status: res.status, body: (await res.json()) as UploadView & { error?: string } };
};

const ticketOf = async (stack: TestStack, token: string) => (await api<UploadTicket>(stack, token, '/api/uploads/tickets', 'POST')).body;

/** Issue 29: uploads checked before they cost anything, used once, counted, and not kept unsent; links that expire. */
describe('Uploads and signed links, as an attacker tries them', () => {
  // A small request budget, so that a test can spend it; each test uses agents of its own.
  const ctx = useTestStack({ orgs: { org: 6, other: 2 }, env: { REQUESTS_PER_AGENT: '6', UPLOAD_SWEEP_MS: '200' } });
  const agent = (i: number) => ctx.org.agents[i]!;
  const conversation = async () => {
    const res = await ctx.stack.inbound({ from: customer(), to: ctx.org.number, body: 'Please send the form' });
    return (await ctx.stack.db.query<{ conversation_id: string }>('select conversation_id from messages where twilio_sid = $1', [res.params.MessageSid]))
      .rows[0]!.conversation_id;
  };
  const uploadsOf = async (agentId: string) =>
    Number((await ctx.stack.db.query<{ n: string }>('select count(*) as n from uploads where agent_id = $1', [agentId])).rows[0]!.n);

  it('answers a forged, spent or removed agent’s upload ticket before reading the body (16 MB declared, 64 KB sent)', async () => {
    const forged = await partialUpload(`${ctx.stack.serverUrl}/api/uploads?ticket=${randomUUID()}.${randomUUID()}.${randomUUID()}.${Date.now() + 60_000}.AAAA`);
    expect([forged.status, forged.body.error]).toEqual([401, 'invalid_ticket']);

    const ticket = await ticketOf(ctx.stack, agent(0).token);
    expect((await uploadWith(ticket.url)).status).toBe(201);
    const spent = await partialUpload(ticket.url);
    expect([spent.status, spent.body.error]).toEqual([401, 'ticket_used']);

    // A ticket of an agent removed since.
    const removed = ctx.other.agents[1]!;
    const theirs = await ticketOf(ctx.stack, removed.token);
    await ctx.stack.db.query('delete from agents where id = $1', [removed.id]);
    const refused = await partialUpload(theirs.url);
    expect([refused.status, refused.body.error]).toEqual([403, 'not_an_agent']);
  });

  it('answers every API request without a valid token, and the local Storage API without the service role, before reading its body', async () => {
    const conversationId = await conversation();
    const json = { 'content-type': 'application/json' };
    const anonymous = await partialUpload(`${ctx.stack.serverUrl}/api/conversations/${conversationId}/messages`, 250 * 1024, { headers: json });
    expect(anonymous.status).toBe(401);
    const forged = await partialUpload(`${ctx.stack.serverUrl}/api/admin/invites`, 250 * 1024, { headers: { ...json, authorization: 'Bearer not-a-token' } });
    expect(forged.status).toBe(401);
    const storage = await partialUpload(`${ctx.stack.config.supabaseUrl}/storage/v1/object/agent-files/x/y`, 60 * 1024 * 1024, {
      headers: { authorization: `Bearer ${ctx.stack.config.supabaseAnonKey}`, apikey: ctx.stack.config.supabaseAnonKey },
    });
    expect(storage.status).toBe(403);
  });

  it('takes an upload’s 16 MB as a body on the upload route only: a public route answers 413 to a large octet-stream at once', async () => {
    // The invitation page's route is public: with the upload route's body parser (and its limit)
    // in force there, an anonymous octet-stream of 16 MB would be read into memory before any check.
    const octets = { 'content-type': 'application/octet-stream' };
    const accept = await partialUpload(`${ctx.stack.serverUrl}/api/invites/accept`, WHATSAPP_MESSAGE_MAX_BYTES, { headers: octets });
    expect(accept.status).toBe(413);
    const webhook = await partialUpload(`${ctx.stack.serverUrl}/api/webhooks/twilio`, WHATSAPP_MESSAGE_MAX_BYTES, { headers: octets });
    expect(webhook.status).toBe(413);
    // An agent's API calls take JSON of a few hundred KB, not the upload route's 16 MB.
    const reply = await partialUpload(`${ctx.stack.serverUrl}/api/conversations/${randomUUID()}/messages`, WHATSAPP_MESSAGE_MAX_BYTES, {
      headers: { ...octets, authorization: `Bearer ${ctx.other.agents[0]!.token}` },
    });
    expect(reply.status).toBe(413);
  });

  it('takes one file per ticket: the same ticket again stores nothing more, even after a refused file', async () => {
    const ticket = await ticketOf(ctx.stack, agent(1).token);
    expect((await uploadWith(ticket.url)).status).toBe(201);
    const again = await uploadWith(ticket.url);
    expect([again.status, again.body.error]).toEqual([401, 'ticket_used']);
    // A ticket spent on a file that was refused is spent too.
    const other = await ticketOf(ctx.stack, agent(1).token);
    expect((await uploadWith(other.url, Buffer.from('not a file WhatsApp carries'))).status).toBe(415);
    expect((await uploadWith(other.url)).body.error).toBe('ticket_used');
    expect(await uploadsOf(agent(1).id)).toBe(1);
  });

  it('counts uploads in the agent’s request budget (6 every 10 s here): tickets and uploads together', async () => {
    const a = agent(2);
    const tickets = [await ticketOf(ctx.stack, a.token), await ticketOf(ctx.stack, a.token), await ticketOf(ctx.stack, a.token)];
    for (const t of tickets) expect((await uploadWith(t.url)).status).toBe(201);
    // Three tickets and three uploads spent the budget: the next call of this agent waits.
    const next = await api<{ error: string }>(ctx.stack, a.token, '/api/uploads/tickets', 'POST');
    expect([next.status, next.body.error]).toEqual([429, 'rate_limited']);
  });

  it('deletes an upload no message sent (its file and its row) and keeps one that was sent', async () => {
    const a = agent(3);
    const conversationId = await conversation();
    const unsent = await uploadWith((await ticketOf(ctx.stack, a.token)).url);
    const sent = await uploadWith((await ticketOf(ctx.stack, a.token)).url);
    expect((await api(ctx.stack, a.token, `/api/conversations/${conversationId}/messages`, 'POST', { id: randomUUID(), uploadId: sent.body.id })).status).toBe(
      201,
    );
    const storage = createDiskStorage(join(ctx.stack.home, 'uploads'));
    const fileOf = (id: string) => join(ctx.stack.home, 'uploads', ctx.org.id, id);
    expect(existsSync(fileOf(unsent.body.id))).toBe(true);

    // A fresh unsent upload is kept; one older than UNSENT_UPLOAD_TTL_SECONDS goes, with the server's own sweeper.
    expect(await sweepUnsentUploads({ db: ctx.stack.db, storage }, 60_000)).toBe(0);
    await ctx.stack.db.query("update uploads set created_at = now() - interval '2 days' where id = any($1::uuid[])", [[unsent.body.id, sent.body.id]]);
    await until(async () => !existsSync(fileOf(unsent.body.id)), { what: 'the server’s sweeper to delete the unsent file' });
    expect((await ctx.stack.db.query('select 1 from uploads where id = $1', [unsent.body.id])).rowCount).toBe(0);
    expect(existsSync(fileOf(sent.body.id))).toBe(true);
    expect((await ctx.stack.db.query('select 1 from uploads where id = $1', [sent.body.id])).rowCount).toBe(1);
    // The swept upload can no longer be sent: a clear error, nothing stored.
    const late = await api<{ error: string }>(ctx.stack, a.token, `/api/conversations/${conversationId}/messages`, 'POST', {
      id: randomUUID(),
      uploadId: unsent.body.id,
    });
    expect([late.status, late.body.error]).toEqual([422, 'unknown_upload']);
  });

  it('keeps no upload by a reply that was refused: a reply to no conversation, or outside the window, leaves it to the sweeper', async () => {
    const a = agent(5);
    const conversationId = await conversation();
    // The window closed two days ago: a free-form reply is refused (422 window_closed).
    await ctx.stack.db.query("update conversations set last_inbound_at = now() - interval '2 days' where id = $1", [conversationId]);
    const file = await uploadWith((await ticketOf(ctx.stack, a.token)).url);
    expect(file.status).toBe(201);
    const nowhere = await api(ctx.stack, a.token, `/api/conversations/${randomUUID()}/messages`, 'POST', { id: randomUUID(), uploadId: file.body.id });
    expect(nowhere.status).toBe(404);
    const closed = await api<{ error: string }>(ctx.stack, a.token, `/api/conversations/${conversationId}/messages`, 'POST', {
      id: randomUUID(),
      uploadId: file.body.id,
    });
    expect([closed.status, closed.body.error]).toEqual([422, 'window_closed']);
    // Nothing sent it: it is still unsent, and goes when it is old enough.
    expect((await ctx.stack.db.query('select sent_at from uploads where id = $1', [file.body.id])).rows).toEqual([{ sent_at: null }]);
    await ctx.stack.db.query("update uploads set created_at = now() - interval '2 days' where id = $1", [file.body.id]);
    const path = join(ctx.stack.home, 'uploads', ctx.org.id, file.body.id);
    await until(async () => !existsSync(path), { what: 'the server’s sweeper to delete the file no reply sent' });
  });

  it('spends nothing of the agent’s request budget on a replayed ticket: whoever saw a used upload link cannot lock its agent out', async () => {
    const org = await createTestOrg(ctx.stack, 1);
    const a = org.agents[0]!;
    const ticket = await ticketOf(ctx.stack, a.token);
    expect((await uploadWith(ticket.url)).status).toBe(201);
    // The same link again, more times than the agent's budget (6 every 10 s here).
    for (let i = 0; i < 8; i++) expect((await partialUpload(ticket.url)).body.error).toBe('ticket_used');
    expect((await api(ctx.stack, a.token, '/api/uploads/tickets', 'POST')).status).toBe(200);
  });

  it('leaves no file behind when its agent is removed while the upload is on its way (no row, no file)', async () => {
    const org = await createTestOrg(ctx.stack, 1);
    const a = org.agents[0]!;
    const ticket = await ticketOf(ctx.stack, a.token);
    const ticketId = new URL(ticket.url).searchParams.get('ticket')!.split('.')[0]!;
    const status = await new Promise<number>((resolve, reject) => {
      const headers = {
        'content-type': 'application/octet-stream',
        'content-length': String(PNG.length),
        'x-file-name': 'pixel.png',
        'x-file-type': 'image/png',
      };
      const req = request(ticket.url, { method: 'POST', headers }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode!));
      });
      req.on('error', reject);
      req.write(PNG.subarray(0, 10));
      // Admitted (its ticket spent) before the rest of the file comes: the agent is removed meanwhile.
      void until(async () => (await ctx.stack.db.query('select 1 from upload_tickets_spent where id = $1', [ticketId])).rowCount === 1, {
        what: 'the upload admitted',
      })
        .then(() => ctx.stack.db.query('delete from agents where id = $1', [a.id]))
        .then(() => req.end(PNG.subarray(10)), reject);
    });
    expect(status).toBeGreaterThanOrEqual(400);
    const dir = join(ctx.stack.home, 'uploads', org.id);
    expect(existsSync(dir) ? readdirSync(dir) : []).toEqual([]);
  });

  it('gives CRM file links an expiry: an expired link says so (410), a forged expiry or the old eternal form is refused, and an agent renews it', async () => {
    const a = agent(4);
    const conversationId = await conversation();
    const file = await uploadWith((await ticketOf(ctx.stack, a.token)).url);
    const sent = await api<{ message: { id: string } }>(ctx.stack, a.token, `/api/conversations/${conversationId}/messages`, 'POST', {
      id: randomUUID(),
      uploadId: file.body.id,
    });
    const messageId = sent.body.message.id;
    const links = createMessageMediaSigner(ctx.stack.config.twilio.authToken);
    const at = (path: string) => fetch(ctx.stack.serverUrl + path);

    expect((await at(links.path(messageId, 0, Date.now() + 60_000))).status).toBe(200);
    const expired = await at(links.path(messageId, 0, Date.now() - 1000));
    expect(expired.status).toBe(410);
    expect(await expired.text()).toContain('This link has expired');
    // Moving a link's expiry breaks its signature; the old eternal form opens nothing (its page says it expired).
    const moved = links.path(messageId, 0, Date.now() - 1000).replace(/expires=\d+/, `expires=${Date.now() + 365 * 86_400_000}`);
    expect((await at(moved)).status).toBe(403);
    const eternal = await at(
      `/media/messages/${messageId}/0?signature=${new URL(ctx.stack.serverUrl + links.path(messageId, 0, Date.now() + 60_000)).searchParams.get('signature')}`,
    );
    expect(eternal.status).toBe(410);
    expect(await eternal.text()).not.toContain('%PDF');

    // Renewed through the server by an agent of the organisation, for CRM_MEDIA_LINK_DAYS (30) from now.
    const renewed = await api<{ url: string; expiresAt: string }>(
      ctx.stack,
      a.token,
      `/api/conversations/${conversationId}/messages/${messageId}/media/0/link`,
      'POST',
    );
    expect(renewed.status).toBe(200);
    expect(new Date(renewed.body.expiresAt).getTime()).toBeGreaterThan(Date.now() + 29 * 86_400_000);
    expect(new Date(renewed.body.expiresAt).getTime()).toBeLessThan(Date.now() + 31 * 86_400_000);
    expect((await fetch(renewed.body.url.replace(ctx.stack.config.publicUrl, ctx.stack.serverUrl))).status).toBe(200);
    const stranger = await api(ctx.stack, ctx.other.agents[0]!.token, `/api/conversations/${conversationId}/messages/${messageId}/media/0/link`, 'POST');
    expect(stranger.status).toBe(404);
  });
});

describe('What reaches the logs', () => {
  const lines: string[] = [];
  const log = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  const ctx = useTestStack({ orgs: { org: 1 }, env: { LOG_LEVEL: 'info' }, log });

  it('logs requests without any signed or secret parameter’s value (every one the server issues or receives)', async () => {
    const a = ctx.org.agents[0]!;
    const secrets: string[] = [];
    const path = (p: string) => fetch(ctx.stack.serverUrl + p).catch(() => null);
    // Every parameter on the redaction list, with a value that would stand out in a log.
    for (const name of SECRET_PARAMETERS) {
      const value = `secret-${name}-${randomUUID()}`;
      secrets.push(value);
      await path(`/invite?${name}=${value}&lang=en`);
    }
    // The CRM's way back (its own routes log their path only).
    const code = `secret-code-${randomUUID()}`;
    const state = `secret-state-${randomUUID()}`;
    secrets.push(code, state);
    await path(`/api/crm/oauth/callback?code=${code}&state=${state}`);
    // The real ones: an upload ticket, Twilio's signed media URL, a CRM file link.
    const ticket = await ticketOf(ctx.stack, a.token);
    secrets.push(new URL(ticket.url).searchParams.get('ticket')!);
    const up = await uploadWith(ticket.url);
    const signer = createUploadSigner(ctx.stack.config.twilio.authToken);
    const query = signer.mediaQuery(up.body.id, Date.now() + 60_000);
    secrets.push(new URLSearchParams(query).get('signature')!);
    expect((await path(`/media/uploads/${up.body.id}?${query}`))!.status).toBe(200);
    const link = createMessageMediaSigner(ctx.stack.config.twilio.authToken).path(randomUUID(), 0, Date.now() + 60_000);
    secrets.push(new URL(ctx.stack.serverUrl + link).searchParams.get('signature')!);
    await path(link);

    await until(() => lines.some((l) => l.includes('/media/messages/')), { what: 'the last request logged' });
    // The requests were logged (with their paths), their secrets not.
    expect(lines.some((l) => l.includes('/api/uploads?ticket=[redacted]'))).toBe(true);
    expect(lines.some((l) => l.includes('/invite?code=[redacted]&lang=en'))).toBe(true);
    expect(lines.some((l) => l.includes('/api/crm/oauth/callback'))).toBe(true);
    for (const s of secrets) expect(lines.filter((l) => l.includes(s))).toEqual([]);
  });

  it('logs a request that matches no route without its secrets either (a wrong method or a trailing slash), here and in the local Supabase', async () => {
    const secrets: string[] = [];
    const secret = (name: string) => {
      const value = `secret-${name}-${randomUUID()}`;
      secrets.push(value);
      return value;
    };
    // Fastify's own "Route … not found" line names the raw URL, outside the request serializer.
    await fetch(`${ctx.stack.serverUrl}/api/crm/oauth/callback/?code=${secret('code')}&state=${secret('state')}`);
    await fetch(`${ctx.stack.serverUrl}/api/uploads?ticket=${secret('ticket')}`, { method: 'PUT', body: 'x' });
    await fetch(`${ctx.stack.serverUrl}/media/uploads/${randomUUID()}?expires=1&signature=${secret('signature')}`, { method: 'DELETE' });
    await fetch(`${ctx.stack.config.supabaseUrl}/auth/v1/verify/?token=${secret('token')}&type=invite`);
    const marker = `/marker-${randomUUID()}`;
    await fetch(`${ctx.stack.serverUrl}${marker}`);
    await until(() => lines.some((l) => l.includes(marker)), { what: 'the last request logged' });
    for (const s of secrets) expect(lines.filter((l) => l.includes(s))).toEqual([]);
  });
});
