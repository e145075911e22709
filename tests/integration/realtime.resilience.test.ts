import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RealtimeClients, sleep, subscribed, until } from '../support/realtime';
import { createTestOrg, customer, freePort, startTestStack, type TestOrg, type TestStack } from '../support/stack';

const slots = async (stack: TestStack) =>
  (await stack.db.query<{ slot_name: string; temporary: boolean; active: boolean }>('select slot_name, temporary, active from pg_replication_slots')).rows;

describe('Local Realtime resilience', () => {
  let stack: TestStack;
  let org: TestOrg;
  let env: Record<string, string>;
  const clients = new RealtimeClients(() => stack);

  beforeAll(async () => {
    // Fixed ports, so a restarted stack is where its clients left it.
    env = { PORT: String(await freePort()), LOCAL_SUPABASE_PORT: String(await freePort()) };
    stack = await startTestStack(env);
    org = await createTestOrg(stack, 1);
  });
  afterEach(() => clients.closeAll());
  afterAll(() => stack?.stop());

  const watchMessages = async () => {
    const sb = await clients.client(org.agents[0]!.token);
    const bodies: string[] = [];
    const ch = sb
      .channel('inbox')
      .on('postgres_changes', { event: 'INSERT', schema: 'public', table: 'messages' }, (p) => bodies.push((p.new as { body: string }).body));
    const w = await subscribed(ch, true);
    return { bodies, w };
  };

  it('holds WAL only through a temporary slot, which goes when its connection goes', async () => {
    const live = await slots(stack);
    expect(live).toHaveLength(1);
    expect(live[0]).toMatchObject({ temporary: true, active: true });
  });

  it('reports its progress, so PostgreSQL can recycle the WAL behind the slot', async () => {
    const { bodies } = await watchMessages();
    const lsn = async (sql: string) => BigInt((await stack.db.query<{ n: string }>(`select (${sql} - '0/0')::text as n`)).rows[0]!.n);
    const confirmed = () => lsn('(select confirmed_flush_lsn from pg_replication_slots where active)');
    const walBefore = await lsn('pg_current_wal_lsn()');
    await stack.inbound({ from: customer(), to: org.number, body: 'progress' });
    await until(() => bodies.includes('progress'), 'the change');
    // Reported about once a second (not after every message): the slot moves past the change's commit.
    const end = Date.now() + 10_000;
    while ((await confirmed()) <= walBefore) {
      if (Date.now() > end) throw new Error('the slot never confirmed the change');
      await sleep(100);
    }
  });

  it('survives a PostgreSQL restart: replication resumes and changes flow again', async () => {
    const { bodies } = await watchMessages();
    await stack.embedded!.restart();
    // Webhooks arriving while replication reconnects are stored; Realtime resumes within a few seconds.
    await until(() => stack.realtime!.stats().sockets > 0, 'the socket');
    let n = 0;
    await until(
      () => {
        if (bodies.length === 0 && n++ % 25 === 0) void stack.inbound({ from: customer(), to: org.number, body: `after restart ${n}` });
        return bodies.length > 0;
      },
      'a change after the restart',
      20_000,
    );
    expect(bodies[0]).toMatch(/^after restart/);
    expect((await slots(stack)).filter((s) => s.active)).toHaveLength(1);
  });

  it('a client rejoins after the server restarts under it, and receives new changes', async () => {
    const { bodies, w } = await watchMessages();
    const home = stack.home;
    await stack.close(); // the whole stack, PostgreSQL included
    await until(() => w.statuses.includes('CHANNEL_ERROR'), 'the client to notice');
    stack = { ...(await startTestStack({ ...env, SWITCHBOARD_HOME: home })), home };
    await until(() => w.statuses.filter((s) => s === 'SUBSCRIBED').length >= 2, 'the rejoin', 20_000);
    await until(() => w.system.filter((s) => s.message === 'Subscribed to PostgreSQL').length >= 2, 'the postgres subscription');
    await stack.inbound({ from: customer(), to: org.number, body: 'after the server restart' });
    await until(() => bodies.includes('after the server restart'), 'the change');
    // The slot of the stopped server is gone; only the new one remains.
    expect(await slots(stack)).toHaveLength(1);
  });
});
