import { createHash, randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { MessagesPage, SyncResponse, UploadTicket, UploadView } from '../../lib/contract/api';
import type { MessageView } from '../../lib/contract/models';
import { VOICE_NOTE_OGG } from '../../server/dev/twilio-stand-in/fixtures';
import { STAND_IN_TEMPLATES } from '../../server/dev/twilio-stand-in/server';
import { createUploadSigner } from '../../server/media/uploads';
import { useTestStack } from '../support/fixture';
import { api, customer } from '../support/stack';
import { until } from '../support/wait';

// A 1×1 PNG and a small PDF, by their real bytes.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
const PDF = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n');

/**
 * WhatsApp as customers use it, through the webhook shapes Twilio documents: quoted replies,
 * tapped buttons and list items, voice notes and contact cards, the raw webhook kept, opt-out;
 * and agents' files: uploaded, checked by their bytes, fetched by Twilio from a signed URL.
 */
describe('WhatsApp content', () => {
  const ctx = useTestStack({ orgs: { org: 2, other: 1 } });
  const agent = () => ctx.org.agents[0]!;
  let from: string;
  let conversationId: string;

  const conversationOf = async (sid: string) =>
    (await ctx.stack.db.query<{ conversation_id: string }>('select conversation_id from messages where twilio_sid = $1', [sid])).rows[0]!.conversation_id;
  const messageBySid = async (sid: string) => {
    const page = await api<MessagesPage>(ctx.stack, agent().token, `/api/conversations/${await conversationOf(sid)}/messages`);
    return page.body.messages.find((m) => m.twilioSid === sid)!;
  };
  const reply = (body: Record<string, unknown>, token = agent().token, conv = conversationId) =>
    api<{ message: MessageView; error?: string; message_?: string }>(ctx.stack, token, `/api/conversations/${conv}/messages`, 'POST', {
      id: randomUUID(),
      ...body,
    });
  const sentSid = async (id: string) => {
    await until(async () => !!(await ctx.stack.db.query('select 1 from messages where id = $1 and twilio_sid is not null', [id])).rowCount, {
      what: 'the reply sent',
    });
    return (await ctx.stack.db.query<{ twilio_sid: string }>('select twilio_sid from messages where id = $1', [id])).rows[0]!.twilio_sid;
  };
  const upload = async (bytes: Buffer, name: string, type: string, token = agent().token) => {
    const ticket = await api<UploadTicket>(ctx.stack, token, '/api/uploads/tickets', 'POST');
    expect(ticket.status).toBe(200);
    const res = await fetch(ticket.body.url, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream', 'x-file-name': encodeURIComponent(name), 'x-file-type': type },
      body: new Uint8Array(bytes),
    });
    return { status: res.status, body: (await res.json()) as UploadView & { error?: string; message?: string } };
  };

  beforeAll(async () => {
    from = customer();
    const res = await ctx.stack.inbound({ from, to: ctx.org.number, body: 'Hello, I need help with order 1042' });
    conversationId = await conversationOf(res.params.MessageSid!);
  });

  it('links a quoted reply to the message it quotes (ours or the customer’s), with its text; an unknown one keeps its sid', async () => {
    const ours = await reply({ body: 'Which size would you like?' });
    const oursSid = await sentSid(ours.body.message.id);
    const quoting = await ctx.stack.inbound({ from, to: ctx.org.number, body: 'The large one', replyTo: { sid: oursSid, sender: ctx.org.number } });
    expect(quoting.status).toBe(200);
    const stored = await messageBySid(quoting.params.MessageSid!);
    expect(stored.quote).toEqual({
      sid: oursSid,
      messageId: ours.body.message.id,
      direction: 'outbound',
      body: 'Which size would you like?',
      contentType: null,
    });

    const theirs = await ctx.stack.inbound({ from, to: ctx.org.number, body: 'Correction:', replyTo: { sid: quoting.params.MessageSid!, sender: from } });
    expect((await messageBySid(theirs.params.MessageSid!)).quote).toMatchObject({ messageId: stored.id, direction: 'inbound', body: 'The large one' });

    const unknownSid = `SM${'e'.repeat(32)}`;
    const old = await ctx.stack.inbound({ from, to: ctx.org.number, body: 'About your old message', replyTo: { sid: unknownSid, sender: ctx.org.number } });
    expect((await messageBySid(old.params.MessageSid!)).quote).toEqual({ sid: unknownSid, messageId: null, direction: null, body: null, contentType: null });
  });

  it('never quotes another organisation’s message, even by its real sid', async () => {
    const otherFrom = customer();
    const theirs = await ctx.stack.inbound({ from: otherFrom, to: ctx.other.number, body: 'A secret of the other organisation' });
    const probe = await ctx.stack.inbound({ from, to: ctx.org.number, body: 'probe', replyTo: { sid: theirs.params.MessageSid!, sender: otherFrom } });
    expect((await messageBySid(probe.params.MessageSid!)).quote).toEqual({
      sid: theirs.params.MessageSid,
      messageId: null,
      direction: null,
      body: null,
      contentType: null,
    });
  });

  it('stores a tapped template button and a chosen list item as replies to the message that offered them', async () => {
    const template = await reply({ template: { sid: STAND_IN_TEMPLATES[1].sid, variables: { '1': 'Ana', '2': '1042' } } });
    const templateSid = await sentSid(template.body.message.id);
    const tap = await ctx.stack.inbound({
      from,
      to: ctx.org.number,
      button: { text: 'Track my order', payload: 'TRACK_1042' },
      replyTo: { sid: templateSid, sender: ctx.org.number },
    });
    expect(tap.params).toMatchObject({ ButtonText: 'Track my order', ButtonPayload: 'TRACK_1042', MessageType: 'button', Body: 'Track my order' });
    const tapped = await messageBySid(tap.params.MessageSid!);
    expect(tapped).toMatchObject({
      body: 'Track my order',
      interactive: { kind: 'button', text: 'Track my order', payload: 'TRACK_1042' },
      quote: { messageId: template.body.message.id },
    });

    const chose = await ctx.stack.inbound({ from, to: ctx.org.number, listItem: { id: 'size_l', title: 'Large' } });
    expect((await messageBySid(chose.params.MessageSid!)).interactive).toEqual({ kind: 'list', text: 'Large', payload: 'size_l' });
  });

  it('keeps every field of every webhook (routed ones too), fields Switchboard does not use today included', async () => {
    const res = await ctx.stack.inbound({ from, to: ctx.org.number, body: 'Forwarded text' });
    const params = { ...res.params };
    const stored = await messageBySid(params.MessageSid!);
    const { rows } = await ctx.stack.db.query<{ payload: Record<string, string> }>('select payload from message_payloads where message_id = $1', [stored.id]);
    expect(rows[0]!.payload).toEqual(params);
    expect(rows[0]!.payload.WaId).toBe(from.slice(1));
    // Clients cannot read it.
    const sync = await api<SyncResponse>(ctx.stack, agent().token, '/api/sync');
    expect(JSON.stringify(sync.body)).not.toContain('"WaId"');
  });

  it('keeps a voice note, a video and a contact card as what they are; the agent gets their bytes through the server', async () => {
    const sid = `MM${randomUUID().replace(/-/g, '')}`;
    const standIn = ctx.stack.twilioStandIn!;
    const res = await ctx.stack.inbound({
      from,
      to: ctx.org.number,
      messageSid: sid,
      media: [
        { url: standIn.mediaUrl('audio', sid), contentType: 'audio/ogg' },
        { url: standIn.mediaUrl('vcard', sid), contentType: 'text/vcard' },
        { url: standIn.mediaUrl('video', sid), contentType: 'video/mp4' },
      ],
    });
    expect(res.params.MessageType).toBe('audio');
    const stored = await messageBySid(sid);
    expect(stored.media.map((m) => m.contentType)).toEqual(['audio/ogg', 'text/vcard', 'video/mp4']);
    const audio = await fetch(`${ctx.stack.serverUrl}/api/conversations/${conversationId}/messages/${stored.id}/media/0`, {
      headers: { authorization: `Bearer ${agent().token}` },
    });
    expect(audio.status).toBe(200);
    expect(Buffer.from(await audio.arrayBuffer()).equals(VOICE_NOTE_OGG)).toBe(true);
    const card = await fetch(`${ctx.stack.serverUrl}/api/conversations/${conversationId}/messages/${stored.id}/media/1`, {
      headers: { authorization: `Bearer ${agent().token}` },
    });
    expect(await card.text()).toContain('FN:Ada Okafor');
  });

  it('marks the conversation opted out on STOP (any case, whole message only) and refuses to send until START', async () => {
    const who = customer();
    const first = await ctx.stack.inbound({ from: who, to: ctx.org.number, body: 'Please stop sending me offers' });
    const conv = await conversationOf(first.params.MessageSid!);
    expect((await reply({ body: 'Sure, noted.' }, agent().token, conv)).status).toBe(201);
    await ctx.stack.inbound({ from: who, to: ctx.org.number, body: '  stop ' });
    const synced = async () => (await api<SyncResponse>(ctx.stack, agent().token, '/api/sync')).body.conversations.find((c) => c.id === conv)!;
    expect((await synced()).optedOutAt).not.toBeNull();
    const refused = await api<{ error: string; message: string }>(ctx.stack, agent().token, `/api/conversations/${conv}/messages`, 'POST', {
      id: randomUUID(),
      body: 'One more thing',
    });
    expect([refused.status, refused.body.error]).toEqual([422, 'opted_out']);
    expect(refused.body.message).toContain('START');
    const template = await api<{ error: string }>(ctx.stack, agent().token, `/api/conversations/${conv}/messages`, 'POST', {
      id: randomUUID(),
      template: { sid: STAND_IN_TEMPLATES[0].sid, variables: { '1': 'x' } },
    });
    expect(template.body.error).toBe('opted_out');
    await ctx.stack.inbound({ from: who, to: ctx.org.number, body: 'START' });
    expect((await synced()).optedOutAt).toBeNull();
    expect((await reply({ body: 'Welcome back' }, agent().token, conv)).status).toBe(201);
  });

  it('uploads a file, checked by its bytes; Twilio fetches it from a signed URL and the customer receives it with its name and caption', async () => {
    const up = await upload(PDF, 'Invoice 1042.pdf', 'application/pdf');
    expect(up.status).toBe(201);
    expect(up.body).toMatchObject({ contentType: 'application/pdf', size: PDF.length, name: 'Invoice 1042.pdf' });
    const sent = await reply({ body: 'Here is your invoice', uploadId: up.body.id });
    expect(sent.status).toBe(201);
    expect(sent.body.message.media).toEqual([{ contentType: 'application/pdf', name: 'Invoice 1042.pdf', size: PDF.length, uploadId: up.body.id }]);
    const standIn = ctx.stack.twilioStandIn!;
    await until(() => standIn.created.some((c) => c.Body === 'Here is your invoice'), { what: 'the file sent' });
    const created = standIn.created.find((c) => c.Body === 'Here is your invoice')!;
    expect(created.MediaUrl).toMatch(new RegExp(`^${ctx.stack.config.publicUrl}/media/uploads/${up.body.id}\\?expires=\\d+&signature=[\\w-]+$`));
    await until(() => standIn.fetchedMedia.some((f) => f.url === created.MediaUrl), { what: 'Twilio fetching the file' });
    expect(standIn.fetchedMedia.find((f) => f.url === created.MediaUrl)).toEqual({
      url: created.MediaUrl,
      status: 200,
      contentType: 'application/pdf',
      size: PDF.length,
      sha256: createHash('sha256').update(PDF).digest('hex'),
      fileName: 'Invoice 1042.pdf',
    });
    await until(
      async () =>
        (await ctx.stack.db.query<{ status: string }>('select status from messages where id = $1', [sent.body.message.id])).rows[0]!.status === 'read',
      { what: 'delivered' },
    );
    // The agents see it through the server; another organisation cannot.
    const mine = await fetch(`${ctx.stack.serverUrl}/api/conversations/${conversationId}/messages/${sent.body.message.id}/media/0`, {
      headers: { authorization: `Bearer ${ctx.org.agents[1]!.token}` },
    });
    expect(Buffer.from(await mine.arrayBuffer()).equals(PDF)).toBe(true);
    const theirs = await fetch(`${ctx.stack.serverUrl}/api/conversations/${conversationId}/messages/${sent.body.message.id}/media/0`, {
      headers: { authorization: `Bearer ${ctx.other.agents[0]!.token}` },
    });
    expect(theirs.status).toBe(404);
  });

  it('refuses a file whose bytes are not what its name says, one over WhatsApp’s limit for its kind, and one WhatsApp cannot carry', async () => {
    const html = await upload(Buffer.from('<!doctype html><script>alert(1)</script>'), 'invoice.pdf', 'application/pdf');
    expect([html.status, html.body.error]).toEqual([415, 'unsupported_file']);
    const renamed = await upload(PDF, 'photo.png', 'image/png');
    expect(renamed.status).toBe(415);
    expect(renamed.body.message).toContain('contents are a PDF');
    const big = await upload(Buffer.concat([PNG, Buffer.alloc(5 * 1024 * 1024)]), 'huge.png', 'image/png');
    expect(big.status).toBe(415);
    expect(big.body.message).toMatch(/huge\.png is 5\.0 MB: WhatsApp takes a PNG image of up to 5\.0 MB/);
    const zip = await upload(Buffer.from('PK\x03\x04\x14\x00\x00\x00\x08\x00'), 'archive.zip', 'application/zip');
    expect(zip.status).toBe(415);
    // A voice note, by its bytes.
    expect((await upload(VOICE_NOTE_OGG, 'note.ogg', 'audio/ogg')).body.contentType).toBe('audio/ogg');
  });

  it('accepts uploads only with a valid ticket, sends only the organisation’s own uploads, and serves Twilio only a valid, unexpired signature', async () => {
    const noTicket = await fetch(`${ctx.stack.serverUrl}/api/uploads?ticket=forged.ticket.1.x`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream', 'x-file-name': 'a.png' },
      body: new Uint8Array(PNG),
    });
    expect(noTicket.status).toBe(401);
    const theirs = await upload(PNG, 'their.png', 'image/png', ctx.other.agents[0]!.token);
    expect(theirs.status).toBe(201);
    const stolen = await api<{ error: string }>(ctx.stack, agent().token, `/api/conversations/${conversationId}/messages`, 'POST', {
      id: randomUUID(),
      uploadId: theirs.body.id,
    });
    expect([stolen.status, stolen.body.error]).toEqual([422, 'unknown_upload']);

    const mine = await upload(PNG, 'pixel.png', 'image/png');
    const signer = createUploadSigner(ctx.stack.config.twilio.authToken);
    const url = (expires: number) => `${ctx.stack.serverUrl}/media/uploads/${mine.body.id}?${signer.mediaQuery(mine.body.id, expires)}`;
    const ok = await fetch(url(Date.now() + 60_000));
    expect([ok.status, ok.headers.get('content-type')]).toEqual([200, 'image/png']);
    expect((await fetch(url(Date.now() + 60_000), { method: 'HEAD' })).headers.get('content-length')).toBe(String(PNG.length));
    expect((await fetch(url(Date.now() - 1000))).status).toBe(403);
    // A signature with one character changed (to another one: replacing 'A' by 'A' would change nothing).
    const tampered = url(Date.now() + 60_000).replace(/signature=(.)/, (_, c: string) => `signature=${c === 'A' ? 'B' : 'A'}`);
    expect((await fetch(tampered)).status).toBe(403);
    expect(
      (
        await fetch(
          `${ctx.stack.serverUrl}/media/uploads/${theirs.body.id}?${signer.mediaQuery(mine.body.id, Date.now() + 60_000).replace(mine.body.id, theirs.body.id)}`,
        )
      ).status,
    ).toBe(403);
  });

  it('keeps Twilio’s error code on a failed message (63016 outside the window; 63019 a file Twilio could not fetch)', async () => {
    const who = customer();
    const res = await ctx.stack.inbound({ from: who, to: ctx.org.number, body: 'hi' });
    const conv = await conversationOf(res.params.MessageSid!);
    ctx.stack.twilioStandIn!.failWith.set(`whatsapp:${who}`, 63019);
    const sent = await reply({ body: 'A file that will not arrive' }, agent().token, conv);
    await until(
      async () =>
        (await ctx.stack.db.query<{ status: string }>('select status from messages where id = $1', [sent.body.message.id])).rows[0]!.status === 'failed',
      { what: 'failed' },
    );
    const page = await api<MessagesPage>(ctx.stack, agent().token, `/api/conversations/${conv}/messages`);
    expect(page.body.messages.find((m) => m.id === sent.body.message.id)).toMatchObject({
      status: 'failed',
      errorCode: 63019,
      errorMessage: 'Media failed to download',
    });
  });
});
