import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { createBenchOrgs } from '../agents';
import type { RemoteStack } from '../remote-stack';
import { sleep, summarize, type LatencySummary } from '../stats';

/**
 * Commit-to-callback latency through the local Realtime with RLS on: `clients` unmodified
 * supabase-js clients subscribed to `messages` of their organisation; messages are inserted into
 * one organisation at `rate`/s; every callback that should fire is timed.
 */
export interface RealtimeLatencyResult extends LatencySummary {
  clients: number;
  layout: string;
  changes: number;
  expected: number;
  lost: number;
}

async function subscribeClients(stack: RemoteStack, tokens: Array<{ token: string; org: string }>, onBody: (body: string) => void) {
  const clients: SupabaseClient[] = [];
  let ready = 0;
  for (const { token, org } of tokens) {
    const c = createClient(stack.supabaseUrl, stack.anonKey, {
      auth: { persistSession: false, autoRefreshToken: false },
      realtime: { transport: WebSocket as never },
    });
    await c.realtime.setAuth(token);
    c.channel(`bench-${org}`)
      .on('postgres_changes', { event: 'INSERT', schema: 'public', table: 'messages', filter: `organisation_id=eq.${org}` }, (p) =>
        onBody(String((p.new as { body: string }).body)),
      )
      .on('system', {}, (p: { message?: string }) => {
        if (p.message === 'Subscribed to PostgreSQL') ready++;
      })
      .subscribe();
    clients.push(c);
  }
  const deadline = Date.now() + 60_000;
  while (ready < tokens.length && Date.now() < deadline) await sleep(50);
  console.error(`  ${ready}/${tokens.length} clients subscribed`);
  if (ready < tokens.length) throw new Error(`only ${ready}/${tokens.length} clients subscribed`);
  return clients;
}

async function conversationFor(stack: RemoteStack, orgId: string, number: string): Promise<string> {
  const channel = (await stack.db.query<{ id: string }>('select id from channels where whatsapp_number = $1', [number])).rows[0]!.id;
  const contact = (await stack.db.query<{ id: string }>(`insert into contacts (organisation_id, phone_e164) values ($1, '+15550000001') returning id`, [orgId]))
    .rows[0]!.id;
  return (
    await stack.db.query<{ id: string }>('insert into conversations (organisation_id, channel_id, contact_id) values ($1, $2, $3) returning id', [
      orgId,
      channel,
      contact,
    ])
  ).rows[0]!.id;
}

export async function realtimeLatency(
  stack: RemoteStack,
  opts: { clients: number; layout: 'orgs of 10' | 'one org'; changes: number; rate: number },
): Promise<RealtimeLatencyResult> {
  const perOrg = opts.layout === 'one org' ? opts.clients : Math.min(10, opts.clients);
  const orgs = await createBenchOrgs(stack, Math.ceil(opts.clients / perOrg), perOrg);
  const target = orgs[0]!;
  const conversation = await conversationFor(stack, target.id, target.number);
  const sentAt = new Map<string, number>();
  const received: string[] = [];
  const samples: number[] = [];
  const clients = await subscribeClients(
    stack,
    orgs.flatMap((o) => o.agents.map((a) => ({ token: a.token, org: o.id }))),
    (body) => {
      received.push(body);
      const t0 = sentAt.get(body);
      if (t0 !== undefined) samples.push(performance.now() - t0);
    },
  );
  let failedInserts = 0;
  const interval = 1000 / opts.rate;
  const start = performance.now();
  for (let i = 0; i < opts.changes; i++) {
    const due = start + i * interval;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    const body = `bench-${i}-${Math.random().toString(36).slice(2)}`;
    sentAt.set(body, performance.now());
    stack.db
      .query(`insert into messages (organisation_id, conversation_id, direction, body, status) values ($1, $2, 'inbound', $3, 'received')`, [
        target.id,
        conversation,
        body,
      ])
      .catch((err: Error) => {
        failedInserts++;
        console.error(`  insert failed: ${err.message}`);
      });
  }
  const expected = (opts.changes - failedInserts) * target.agents.length;
  const deadline = Date.now() + 30_000;
  while (samples.length < expected && Date.now() < deadline) await sleep(50);
  if (samples.length < expected) {
    const got = new Set(received);
    const missing = [...sentAt.keys()].filter((b) => !got.has(b));
    console.error(`  missing ${missing.length} bodies, e.g. ${missing.slice(0, 3).join(', ')}`);
  }
  // Closing the sockets ends the channels; no need to leave each one politely.
  for (const c of clients) void c.realtime.disconnect();
  return { clients: opts.clients, layout: opts.layout, changes: opts.changes, expected, lost: expected - samples.length, ...summarize(samples) };
}

/** Changes per second the local Realtime delivers to one subscriber, inserting as fast as it takes them. */
export async function realtimeThroughput(stack: RemoteStack, seconds: number): Promise<{ inserted: number; delivered: number; perSecond: number }> {
  const [org] = await createBenchOrgs(stack, 1, 1);
  const conversation = await conversationFor(stack, org!.id, org!.number);
  let delivered = 0;
  const clients = await subscribeClients(stack, [{ token: org!.agents[0]!.token, org: org!.id }], () => delivered++);
  let inserted = 0;
  const end = performance.now() + seconds * 1000;
  const worker = async () => {
    while (performance.now() < end) {
      await stack.db.query(`insert into messages (organisation_id, conversation_id, direction, body, status) values ($1, $2, 'inbound', 'x', 'received')`, [
        org!.id,
        conversation,
      ]);
      inserted++;
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: 8 }, worker));
  const deadline = Date.now() + 30_000;
  while (delivered < inserted && Date.now() < deadline) await sleep(20);
  const elapsed = (performance.now() - t0) / 1000;
  for (const c of clients) void c.realtime.disconnect();
  return { inserted, delivered, perSecond: Math.round(delivered / elapsed) };
}
