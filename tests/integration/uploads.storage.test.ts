import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createClient } from '@supabase/supabase-js';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { MessagesPage, UploadTicket, UploadView } from '../../lib/contract/api';
import { createSupabaseStorage } from '../../server/media/storage';
import { sweepUnsentUploads } from '../../server/media/uploads';
import { useTestStack } from '../support/fixture';
import { api, customer } from '../support/stack';
import { until } from '../support/wait';

const PDF = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n');

/**
 * Agents' files in a Supabase Storage bucket (as on hosted Supabase, where instances share no
 * disk), through the unmodified `@supabase/storage-js` against the local stack's Storage API.
 */
describe('Uploads kept in Supabase Storage', () => {
  const ctx = useTestStack({ orgs: { org: 1 }, env: { UPLOADS_STORAGE: 'supabase', UPLOADS_BUCKET: 'agent-files' } });

  it('stores an upload in the private bucket (not on the server’s disk) and Twilio receives it from the signed URL', async () => {
    const agent = ctx.org.agents[0]!;
    const from = customer();
    const res = await ctx.stack.inbound({ from, to: ctx.org.number, body: 'Send me the form please' });
    const conversationId = (
      await ctx.stack.db.query<{ conversation_id: string }>('select conversation_id from messages where twilio_sid = $1', [res.params.MessageSid])
    ).rows[0]!.conversation_id;
    const ticket = await api<UploadTicket>(ctx.stack, agent.token, '/api/uploads/tickets', 'POST');
    const uploaded = await fetch(ticket.body.url, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream', 'x-file-name': 'form.pdf', 'x-file-type': 'application/pdf' },
      body: new Uint8Array(PDF),
    });
    expect(uploaded.status).toBe(201);
    const file = (await uploaded.json()) as UploadView;
    expect(existsSync(join(ctx.stack.home, 'uploads'))).toBe(false);
    const { rows } = await ctx.stack.db.query<{ storage_key: string }>('select storage_key from uploads where id = $1', [file.id]);
    expect(readdirSync(join(ctx.stack.home, 'storage', 'agent-files', ctx.org.id))).toContain(file.id);

    // The bucket is private: the anon key cannot read it; the service role can, through storage-js.
    const anon = createClient(ctx.stack.config.supabaseUrl, ctx.stack.config.supabaseAnonKey, { realtime: { transport: WebSocket as never } });
    expect((await anon.storage.from('agent-files').download(rows[0]!.storage_key)).error).not.toBeNull();
    const storage = createSupabaseStorage({
      supabaseUrl: ctx.stack.config.supabaseUrl,
      serviceRoleKey: ctx.stack.local!.serviceRoleKey,
      bucket: 'agent-files',
    });
    expect((await storage.get(rows[0]!.storage_key))!.equals(PDF)).toBe(true);
    expect(await storage.get(`${ctx.org.id}/${randomUUID()}`)).toBeNull();

    const sent = await api<{ message: { id: string } }>(ctx.stack, agent.token, `/api/conversations/${conversationId}/messages`, 'POST', {
      id: randomUUID(),
      uploadId: file.id,
    });
    expect(sent.status).toBe(201);
    const standIn = ctx.stack.twilioStandIn!;
    await until(() => standIn.fetchedMedia.some((f) => f.url.includes(file.id) && f.status === 200), { what: 'Twilio fetching the file' });
    expect(standIn.fetchedMedia.find((f) => f.url.includes(file.id))).toMatchObject({ contentType: 'application/pdf', size: PDF.length, fileName: 'form.pdf' });
    const page = await api<MessagesPage>(ctx.stack, agent.token, `/api/conversations/${conversationId}/messages`);
    expect(page.body.messages.find((m) => m.id === sent.body.message.id)!.media).toEqual([
      { contentType: 'application/pdf', name: 'form.pdf', size: PDF.length, uploadId: file.id },
    ]);
  });

  it('deletes an upload no message sent from the bucket (through storage-js), and keeps the sent ones', async () => {
    const agent = ctx.org.agents[0]!;
    const ticket = await api<UploadTicket>(ctx.stack, agent.token, '/api/uploads/tickets', 'POST');
    const res = await fetch(ticket.body.url, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream', 'x-file-name': 'draft.pdf', 'x-file-type': 'application/pdf' },
      body: new Uint8Array(PDF),
    });
    const unsent = (await res.json()) as UploadView;
    const storage = createSupabaseStorage({
      supabaseUrl: ctx.stack.config.supabaseUrl,
      serviceRoleKey: ctx.stack.local!.serviceRoleKey,
      bucket: 'agent-files',
    });
    const keys = (await ctx.stack.db.query<{ id: string; storage_key: string }>('select id, storage_key from uploads')).rows;
    expect(keys.length).toBe(2);
    await ctx.stack.db.query("update uploads set created_at = now() - interval '2 days'");
    expect(await sweepUnsentUploads({ db: ctx.stack.db, storage }, 24 * 3600_000)).toBe(1);
    for (const k of keys) expect(await storage.get(k.storage_key)).toEqual(k.id === unsent.id ? null : PDF);
    expect((await ctx.stack.db.query('select id from uploads')).rows.map((r) => r.id)).not.toContain(unsent.id);
  });
});
