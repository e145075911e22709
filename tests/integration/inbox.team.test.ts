import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { AgentsResponse, AssignResponse, CannedRepliesResponse, NoteResponse, SearchResponse, SyncResponse } from '../../lib/contract/api';
import { saveCannedReply } from '../../server/inbox/team';
import { inboundParams, postSignedWebhook } from '../../server/dev/twilio-stand-in/inbound';
import { api, connectSocket, customer, nextEvent, type TestOrg, type TestSocket } from '../support/stack';
import { until } from '../support/wait';
import { useTestStack } from '../support/fixture';

/** Assignment, private notes, canned replies, server-side search and location messages. */
describe('The inbox’s shared tools', () => {
  const ctx = useTestStack({ orgs: { a: 2, b: 1 } });
  const sockets: TestSocket[] = [];
  const connect = async (token: string) => {
    const s = await connectSocket(ctx.stack, token);
    sockets.push(s);
    return s;
  };
  const conversationWith = async (org: TestOrg, body = 'hello', profileName?: string, from = customer()) => {
    const res = await ctx.stack.inbound({ from, to: org.number, body, profileName });
    expect(res.status).toBe(200);
    return (await ctx.stack.db.query<{ conversation_id: string }>('select conversation_id from messages where twilio_sid = $1', [res.params.MessageSid]))
      .rows[0]!.conversation_id;
  };

  afterEach(() => {
    for (const s of sockets.splice(0)) s.close();
  });

  describe('assignment', () => {
    it('assigns, reassigns and unassigns, live to colleagues over Socket.IO, with a new version each time', async () => {
      const id = await conversationWith(ctx.a);
      const [alice, bob] = ctx.a.agents as [TestOrg['agents'][0], TestOrg['agents'][0]];
      const bobSocket = await connect(bob.token);
      const stranger = await connect(ctx.b.agents[0]!.token);
      const strangerHeard: unknown[] = [];
      stranger.on('conversation:updated', (p) => strangerHeard.push(p));

      const live = nextEvent(bobSocket, 'conversation:updated');
      const mine = await api<AssignResponse>(ctx.stack, alice.token, `/api/conversations/${id}/assign`, 'POST', { assigneeId: alice.id });
      expect(mine.status).toBe(200);
      expect(mine.body.conversation.assigneeId).toBe(alice.id);
      const heard = await live;
      expect(heard.conversation).toMatchObject({ id, assigneeId: alice.id, version: mine.body.conversation.version });
      // The broadcast carries the organisation's row, not the assigning agent's read state.
      expect(heard.conversation).not.toHaveProperty('readInboundCount');

      const toBob = await api<AssignResponse>(ctx.stack, alice.token, `/api/conversations/${id}/assign`, 'POST', { assigneeId: bob.id });
      expect(toBob.body.conversation.assigneeId).toBe(bob.id);
      expect(toBob.body.conversation.version).toBeGreaterThan(mine.body.conversation.version);
      const none = await api<AssignResponse>(ctx.stack, bob.token, `/api/conversations/${id}/assign`, 'POST', { assigneeId: null });
      expect(none.body.conversation.assigneeId).toBeNull();

      // The sync (what a reconnecting or polling agent reads) agrees.
      const sync = await api<SyncResponse>(ctx.stack, bob.token, '/api/sync');
      expect(sync.body.conversations.find((c) => c.id === id)?.assigneeId).toBeNull();
      // A marker in the stranger's own organisation: events arrive in order, so a leak would be first.
      const marker = await conversationWith(ctx.b);
      const markerHeard = nextEvent(stranger, 'conversation:updated');
      await api(ctx.stack, ctx.b.agents[0]!.token, `/api/conversations/${marker}/assign`, 'POST', { assigneeId: ctx.b.agents[0]!.id });
      await markerHeard;
      expect(strangerHeard.map((p) => (p as { conversation: { id: string } }).conversation.id)).toEqual([marker]);
    });

    it('setting the same assignee again changes nothing and tells no one', async () => {
      const id = await conversationWith(ctx.a);
      const alice = ctx.a.agents[0]!;
      const first = await api<AssignResponse>(ctx.stack, alice.token, `/api/conversations/${id}/assign`, 'POST', { assigneeId: alice.id });
      const bobSocket = await connect(ctx.a.agents[1]!.token);
      const heard: unknown[] = [];
      bobSocket.on('conversation:updated', (p) => heard.push(p));
      const again = await api<AssignResponse>(ctx.stack, alice.token, `/api/conversations/${id}/assign`, 'POST', { assigneeId: alice.id });
      expect(again.body.conversation.version).toBe(first.body.conversation.version);
      // A real change afterwards is heard; had the no-op told anyone, it would have come first.
      const marker = await conversationWith(ctx.a);
      const markerHeard = nextEvent(bobSocket, 'conversation:updated');
      await api(ctx.stack, alice.token, `/api/conversations/${marker}/assign`, 'POST', { assigneeId: alice.id });
      await markerHeard;
      expect(heard.map((p) => (p as { conversation: { id: string } }).conversation.id)).toEqual([marker]);
    });

    it('refuses another organisation’s agent as assignee, another organisation’s conversation, and bad input', async () => {
      const id = await conversationWith(ctx.a);
      const theirs = await conversationWith(ctx.b);
      const alice = ctx.a.agents[0]!;
      const foreign = await api<{ error: string }>(ctx.stack, alice.token, `/api/conversations/${id}/assign`, 'POST', { assigneeId: ctx.b.agents[0]!.id });
      expect(foreign).toMatchObject({ status: 422, body: { error: 'unknown_assignee' } });
      expect((await api(ctx.stack, alice.token, `/api/conversations/${theirs}/assign`, 'POST', { assigneeId: alice.id })).status).toBe(404);
      expect((await api(ctx.stack, alice.token, `/api/conversations/${id}/assign`, 'POST', { assigneeId: 'me' })).status).toBe(400);
      expect((await api(ctx.stack, alice.token, `/api/conversations/${id}/assign`, 'POST', {})).status).toBe(400);
      expect((await api(ctx.stack, null, `/api/conversations/${id}/assign`, 'POST', { assigneeId: null })).status).toBe(401);
      const rows = await ctx.stack.db.query('select assignee_id from conversations where id = any($1)', [[id, theirs]]);
      expect(rows.rows.map((r) => r.assignee_id)).toEqual([null, null]);
    });

    it('lists the organisation’s agents, and only them', async () => {
      const res = await api<AgentsResponse>(ctx.stack, ctx.a.agents[0]!.token, '/api/agents');
      expect(res.body.agents.map((x) => x.id).sort()).toEqual(ctx.a.agents.map((x) => x.id).sort());
    });
  });

  describe('private notes', () => {
    it('are stored in the thread for colleagues, never sent, never unread, never the preview; retried ids store once', async () => {
      const id = await conversationWith(ctx.a, 'Where is my order?');
      const bobSocket = await connect(ctx.a.agents[1]!.token);
      const live = nextEvent(bobSocket, 'message:new');
      const noteId = randomUUID();
      const res = await api<NoteResponse>(ctx.stack, ctx.a.agents[0]!.token, `/api/conversations/${id}/notes`, 'POST', {
        id: noteId,
        body: 'VIP customer, refund approved',
      });
      expect(res.status).toBe(201);
      expect(res.body.message).toMatchObject({
        id: noteId,
        direction: 'note',
        status: 'sent',
        sentBy: ctx.a.agents[0]!.id,
        body: 'VIP customer, refund approved',
      });
      expect((await live).message.id).toBe(noteId);

      const again = await api<NoteResponse>(ctx.stack, ctx.a.agents[0]!.token, `/api/conversations/${id}/notes`, 'POST', {
        id: noteId,
        body: 'VIP customer, refund approved',
      });
      expect(again.status).toBe(200);
      const rows = await ctx.stack.db.query('select count(*)::int as n from messages where id = $1', [noteId]);
      expect(rows.rows[0].n).toBe(1);
      const conv = await ctx.stack.db.query('select last_message_preview, inbound_count from conversations where id = $1', [id]);
      expect(conv.rows[0]).toMatchObject({ last_message_preview: 'Where is my order?', inbound_count: '1' });
      // The outbox sender only sends outbound replies: a reply written after the note reaches
      // Twilio (oldest first), and the note still has not.
      const marker = `Marker ${randomUUID()}`;
      await api(ctx.stack, ctx.a.agents[0]!.token, `/api/conversations/${id}/messages`, 'POST', { id: randomUUID(), body: marker });
      await until(() => ctx.stack.twilioStandIn!.created.some((c) => c.Body === marker), { what: 'the marker reply to reach Twilio' });
      expect(ctx.stack.twilioStandIn!.created.filter((c) => c.Body === 'VIP customer, refund approved')).toEqual([]);
      const sent = await ctx.stack.db.query('select twilio_sid, send_attempts from messages where id = $1', [noteId]);
      expect(sent.rows[0]).toEqual({ twilio_sid: null, send_attempts: 0 });
    });

    it('refuses empty notes, another organisation’s conversation, and an id used by another message', async () => {
      const id = await conversationWith(ctx.a);
      const theirs = await conversationWith(ctx.b);
      const token = ctx.a.agents[0]!.token;
      expect((await api(ctx.stack, token, `/api/conversations/${id}/notes`, 'POST', { id: randomUUID(), body: '   ' })).status).toBe(400);
      expect((await api(ctx.stack, token, `/api/conversations/${theirs}/notes`, 'POST', { id: randomUUID(), body: 'x' })).status).toBe(404);
      const used = (await ctx.stack.db.query<{ id: string }>('select id from messages where conversation_id = $1 limit 1', [id])).rows[0]!.id;
      expect((await api(ctx.stack, token, `/api/conversations/${id}/notes`, 'POST', { id: used, body: 'x' })).status).toBe(422);
      expect(
        (await ctx.stack.db.query("select count(*)::int as n from messages where conversation_id = any($1) and direction = 'note'", [[id, theirs]])).rows[0].n,
      ).toBe(0);
    });
  });

  describe('canned replies', () => {
    it('lists the organisation’s own canned replies by shortcut', async () => {
      await saveCannedReply(ctx.stack.db, ctx.a.id, 'hours', 'We are open 9 to 5.');
      await saveCannedReply(ctx.stack.db, ctx.a.id, 'hello', 'Hi there!');
      await saveCannedReply(ctx.stack.db, ctx.b.id, 'secret', 'Org B only');
      const res = await api<CannedRepliesResponse>(ctx.stack, ctx.a.agents[0]!.token, '/api/canned-replies');
      expect(res.body.cannedReplies.map((c) => [c.shortcut, c.body])).toEqual([
        ['hello', 'Hi there!'],
        ['hours', 'We are open 9 to 5.'],
      ]);
    });
  });

  describe('search', () => {
    it('finds conversations by name, by number and by any message in the history, only in the caller’s organisation', async () => {
      const phone = '+447700900123';
      const id = await conversationWith(ctx.a, 'first message', 'Zebulon Quartz', phone);
      // Bury an old message under more than a cache's worth of newer ones.
      await ctx.stack.db.query(
        `insert into messages (organisation_id, conversation_id, direction, body, status, created_at)
         select $1, $2, 'inbound', 'filler ' || g, 'received', now() - interval '1 day' + g * interval '1 second' from generate_series(1, 150) g`,
        [ctx.a.id, id],
      );
      await ctx.stack.db.query(
        `insert into messages (organisation_id, conversation_id, direction, body, status, created_at) values ($1, $2, 'inbound', 'my parcel number is XQ-7781', 'received', now() - interval '2 days')`,
        [ctx.a.id, id],
      );
      await conversationWith(ctx.b, 'XQ-7781 is also here', 'Zebulon Quartz');
      const search = (q: string, token = ctx.a.agents[0]!.token) => api<SearchResponse>(ctx.stack, token, `/api/search?q=${encodeURIComponent(q)}`);

      const byName = await search('zebulon');
      expect(byName.body.results.map((r) => r.conversation.id)).toEqual([id]);
      const byNumber = await search('7700 900');
      expect(byNumber.body.results.map((r) => r.conversation.id)).toEqual([id]);
      const byText = await search('xq-7781');
      expect(byText.body.results).toHaveLength(1);
      expect(byText.body.results[0]!.match?.body).toBe('my parcel number is XQ-7781');
      expect(byText.body.results[0]!.conversation).toMatchObject({ id, unreadCount: 1 });
    });

    it('finds conversations in every status and counts the matches per status, beyond the limit, in the caller’s organisation only', async () => {
      const open = await conversationWith(ctx.a, 'a kumquat for you');
      const snoozed = await conversationWith(ctx.a, 'kumquat again');
      const resolved = await conversationWith(ctx.a, 'last kumquat');
      await conversationWith(ctx.b, 'kumquat elsewhere');
      await ctx.stack.db.query("update conversations set status = 'snoozed', snoozed_until = now() + interval '1 day' where id = $1", [snoozed]);
      await ctx.stack.db.query("update conversations set status = 'resolved' where id = $1", [resolved]);
      const search = (q: string) => api<SearchResponse>(ctx.stack, ctx.a.agents[0]!.token, `/api/search?q=${encodeURIComponent(q)}`);

      const all = await search('kumquat');
      expect(Object.fromEntries(all.body.results.map((r) => [r.conversation.id, r.conversation.status]))).toEqual({
        [open]: 'open',
        [snoozed]: 'snoozed',
        [resolved]: 'resolved',
      });
      expect(all.body.counts).toEqual({ open: 1, snoozed: 1, resolved: 1 });
      const first = await api<SearchResponse>(ctx.stack, ctx.a.agents[0]!.token, '/api/search?q=kumquat&limit=1');
      expect(first.body.results).toHaveLength(1);
      expect(first.body.counts).toEqual({ open: 1, snoozed: 1, resolved: 1 });
      expect((await search('no such fruit')).body).toEqual({ results: [], counts: { open: 0, snoozed: 0, resolved: 0 } });
    });

    it('treats % and _ as text, and refuses too-short queries', async () => {
      await conversationWith(ctx.a, 'a 100% genuine_offer');
      const pct = await api<SearchResponse>(ctx.stack, ctx.a.agents[0]!.token, `/api/search?q=${encodeURIComponent('0% g')}`);
      expect(pct.body.results.map((r) => r.match?.body)).toEqual(['a 100% genuine_offer']);
      const underscore = await api<SearchResponse>(ctx.stack, ctx.a.agents[0]!.token, `/api/search?q=${encodeURIComponent('e_o')}`);
      expect(underscore.body.results.map((r) => r.match?.body)).toEqual(['a 100% genuine_offer']);
      expect((await api(ctx.stack, ctx.a.agents[0]!.token, '/api/search?q=x')).status).toBe(400);
      expect((await api(ctx.stack, null, '/api/search?q=hello')).status).toBe(401);
    });
  });

  describe('location messages', () => {
    it('stores a shared place with its label, shows it as the preview, and refuses half a coordinate', async () => {
      const from = customer();
      const res = await ctx.stack.inbound({
        from,
        to: ctx.a.number,
        location: { latitude: 51.5033, longitude: -0.1196, label: 'London Eye', address: 'Riverside Building, London SE1 7PB' },
      });
      expect(res.status).toBe(200);
      const row = (
        await ctx.stack.db.query(
          'select m.location, c.last_message_preview from messages m join conversations c on c.id = m.conversation_id where m.twilio_sid = $1',
          [res.params.MessageSid],
        )
      ).rows[0];
      expect(row.location).toEqual({ latitude: 51.5033, longitude: -0.1196, label: 'London Eye', address: 'Riverside Building, London SE1 7PB' });
      expect(row.last_message_preview).toBe('📍 London Eye');
      const sync = await api<SyncResponse>(ctx.stack, ctx.a.agents[0]!.token, '/api/sync');
      expect(sync.body.conversations.find((c) => c.contact.phone === from)?.lastMessagePreview).toBe('📍 London Eye');

      const params = inboundParams({ accountSid: ctx.stack.config.twilio.accountSid, from, to: ctx.a.number });
      params.Latitude = '51.5';
      const half = await postSignedWebhook(
        ctx.stack.webhookUrl,
        ctx.stack.config.twilio.authToken,
        params,
        ctx.stack.config.publicUrl + '/api/webhooks/twilio',
      );
      expect(half.status).toBe(400);
      expect(await half.text()).toContain('Latitude and Longitude come together');
      expect((await ctx.stack.db.query('select count(*)::int as n from messages where twilio_sid = $1', [params.MessageSid])).rows[0].n).toBe(0);
    });
  });
});
