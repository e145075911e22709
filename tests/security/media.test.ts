import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SyncResponse } from '../../lib/contract/api';
import { newSid } from '../../server/dev/twilio-stand-in/inbound';
import type { MediaKind } from '../../server/dev/twilio-stand-in/server';
import { api, connectSocket, customer, nextEvent } from '../support/stack';
import { useTestStack } from '../support/fixture';

/**
 * What an attacker tries with media: make the server fetch a URL of their choosing (Twilio's REST
 * API with the account's credentials, or an internal address), read Twilio URLs or the
 * AccountSid, or have a customer's file rendered as a page.
 */
describe('Media: the server fetches only this account’s Twilio media', () => {
  const ctx = useTestStack({ env: { MEDIA_MAX_BYTES: String(1024 * 1024) }, orgs: { org: 1 } });
  let trap: Server;
  let trapUrl: string;
  const trapHits: string[] = [];

  beforeAll(async () => {
    // An "internal service" that must never be reached through the server.
    trap = createServer((req, res) => {
      trapHits.push(`${req.url} auth=${req.headers.authorization ?? ''}`);
      res.writeHead(200, { 'content-type': 'text/plain' }).end('internal secret');
    });
    await new Promise<void>((r) => trap.listen(0, '127.0.0.1', r));
    trapUrl = `http://127.0.0.1:${(trap.address() as { port: number }).port}`;
  });
  afterAll(() => void trap?.close());

  const token = () => ctx.org.agents[0]!.token;
  const get = (path: string) => fetch(ctx.stack.serverUrl + path, { headers: { authorization: `Bearer ${token()}` } });
  const inboundWith = async (files: Array<{ url: string; contentType: string }>, messageSid = newSid('MM')) => {
    const res = await ctx.stack.inbound({ messageSid, from: customer(), to: ctx.org.number, body: 'a file', media: files });
    expect(res.status).toBe(200);
    return (await ctx.stack.db.query<{ id: string; conversation_id: string }>('select id, conversation_id from messages where twilio_sid = $1', [messageSid]))
      .rows[0]!;
  };
  const withMedia = async (kind: MediaKind, contentType: string) => {
    const messageSid = newSid('MM');
    const m = await inboundWith([{ url: ctx.stack.twilioStandIn!.mediaUrl(kind, messageSid), contentType }], messageSid);
    return `/api/conversations/${m.conversation_id}/messages/${m.id}/media/0`;
  };
  const conversation = async () => (await inboundWith([])).conversation_id;

  it('an agent’s reply cannot point the media route at Twilio’s REST API or an internal address', async () => {
    const conv = await conversation();
    const accountApi = `${ctx.stack.twilioStandIn!.url}/2010-04-01/Accounts/${ctx.stack.config.twilio.accountSid}/Messages.json`;
    for (const mediaUrl of [accountApi, `${trapUrl}/admin`]) {
      const id = randomUUID();
      const res = await api(ctx.stack, token(), `/api/conversations/${conv}/messages`, 'POST', { id, body: 'look', mediaUrl });
      expect(res.status).toBe(400); // http: refused before anything is stored
      expect((await get(`/api/conversations/${conv}/messages/${id}/media/0`)).status).toBe(404);
    }
    // Even a row that holds such a URL (written before this check existed) is never fetched:
    // the route serves inbound media only, rebuilt from the message's sids.
    const id = randomUUID();
    await ctx.stack.db.query(
      `insert into messages (id, organisation_id, conversation_id, direction, body, media, status, twilio_sid)
       values ($1, $2, $3, 'inbound', '', $4, 'received', $5)`,
      [
        id,
        ctx.org.id,
        conv,
        JSON.stringify([
          { url: accountApi, contentType: 'application/json' },
          { url: `${trapUrl}/metadata`, contentType: 'text/plain' },
        ]),
        newSid('MM'),
      ],
    );
    for (const n of [0, 1]) expect((await get(`/api/conversations/${conv}/messages/${id}/media/${n}`)).status).toBe(404);
    expect(trapHits).toEqual([]);
  });

  it('a webhook MediaUrl of another host, account or message is kept but never fetched', async () => {
    const messageSid = newSid('MM');
    const otherAccount = ctx.stack.twilioStandIn!.mediaUrl('image', messageSid).replace(ctx.stack.config.twilio.accountSid, 'AC' + 'f'.repeat(32));
    const otherMessage = ctx.stack.twilioStandIn!.mediaUrl('image', newSid('MM'));
    const m = await inboundWith(
      [
        {
          url: `${trapUrl}/2010-04-01/Accounts/${ctx.stack.config.twilio.accountSid}/Messages/${messageSid}/Media/ME${'a'.repeat(32)}`,
          contentType: 'image/png',
        },
        { url: otherAccount, contentType: 'image/png' },
        { url: otherMessage, contentType: 'image/png' },
      ],
      messageSid,
    );
    for (const n of [0, 1, 2]) {
      const res = await get(`/api/conversations/${m.conversation_id}/messages/${m.id}/media/${n}`);
      expect(res.status).toBe(404);
      expect(((await res.json()) as { error: string }).error).toBe('media_unavailable');
    }
    expect(trapHits).toEqual([]);
    const stored = (await ctx.stack.db.query<{ media: unknown }>('select media from messages where id = $1', [m.id])).rows[0]!.media;
    expect(stored).toEqual([0, 1, 2].map(() => ({ contentType: 'image/png', sid: null })));
  });

  it('the account’s credentials go to Twilio’s origin only, never to the CDN it redirects to', async () => {
    const before = ctx.stack.twilioStandIn!.cdnRequests.length;
    const res = await get(await withMedia('image', 'image/png'));
    expect(res.status).toBe(200);
    expect([...new Uint8Array(await res.arrayBuffer()).slice(1, 4)]).toEqual([0x50, 0x4e, 0x47]);
    expect(ctx.stack.twilioStandIn!.cdnRequests.slice(before)).toEqual([{ path: expect.stringMatching(/^\/media\//), authorization: false }]);
  });

  it('a file over the size cap is refused, not buffered', async () => {
    const res = await get(await withMedia('large', 'video/mp4'));
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: string }).error).toBe('media_too_large');
  });

  it('an HTML page posing as a file is served as a sandboxed download, never as a page', async () => {
    const res = await get(await withMedia('html', 'text/html'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/octet-stream');
    expect(res.headers.get('content-disposition')).toBe('attachment');
    expect(res.headers.get('content-security-policy')).toContain('sandbox');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('clients never see a Twilio URL or the AccountSid: not in sync, pages, Socket.IO or replies', async () => {
    const socket = await connectSocket(ctx.stack, token());
    const live = nextEvent(socket, 'message:new');
    const path = await withMedia('pdf', 'application/pdf');
    const seen: unknown[] = [await live];
    socket.close();
    const conv = path.split('/')[3]!;
    seen.push((await api<SyncResponse>(ctx.stack, token(), '/api/sync')).body);
    seen.push((await api(ctx.stack, token(), `/api/conversations/${conv}/messages`)).body);
    const text = JSON.stringify(seen);
    expect(text).toContain('application/pdf');
    expect(text).not.toContain(ctx.stack.config.twilio.accountSid);
    expect(text).not.toContain(ctx.stack.twilioStandIn!.url);
    expect(text).not.toMatch(/\/Media\/ME/);
  });

  it('a file for the customer must be https on a public host, checked after DNS resolution', async () => {
    const conv = await conversation();
    const refused = [
      'http://files.example.com/a.pdf', // not https
      'https://127.0.0.1/a.pdf',
      'https://[::1]/a.pdf',
      'https://[::ffff:7f00:1]/a.pdf', // IPv4-mapped loopback
      'https://10.0.0.8/a.pdf',
      'https://192.168.1.1/a.pdf',
      'https://169.254.169.254/latest/meta-data/',
      'https://intranet.example.com/a.pdf', // resolves to a private address
      'https://metadata.example.com/a.pdf', // resolves to the metadata address
      'https://rebind.example.com/a.pdf', // one public and one loopback address
      'https://localhost/a.pdf',
      'https://unknown.example.com/a.pdf', // does not resolve
      'https://files.example.com:8443/a.pdf',
      'https://user:pass@files.example.com/a.pdf',
    ];
    for (const mediaUrl of refused) {
      const res = await api<{ error: string; message: string }>(ctx.stack, token(), `/api/conversations/${conv}/messages`, 'POST', {
        id: randomUUID(),
        mediaUrl,
      });
      expect([mediaUrl, res.status]).toEqual([mediaUrl, mediaUrl.startsWith('http:') ? 400 : 422]);
      expect(res.body.message).toMatch(/mediaUrl/);
    }
    const ok = await api(ctx.stack, token(), `/api/conversations/${conv}/messages`, 'POST', { id: randomUUID(), mediaUrl: 'https://files.example.com/a.pdf' });
    expect(ok.status).toBe(201);
    const stored = await ctx.stack.db.query('select count(*)::int as n from messages where conversation_id = $1 and direction = $2', [conv, 'outbound']);
    expect(stored.rows[0]).toEqual({ n: 1 });
  });
});
