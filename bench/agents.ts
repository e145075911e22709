import bcrypt from 'bcryptjs';
import { signSupabaseJwt } from '../server/auth/jwt';
import type pg from 'pg';
import type { Socket } from 'socket.io-client';

/**
 * Many agents at once for load: auth users and agents inserted in bulk, tokens signed with the
 * local JWT secret (exactly what the local Auth would issue, without 1,000 bcrypt rounds).
 */
let nextNumber = 0;

export async function createBenchOrgs(stack: { db: pg.Pool; jwtSecret: string }, orgs: number, agentsPerOrg: number) {
  const result: Array<{ id: string; number: string; agents: Array<{ id: string; token: string }> }> = [];
  for (let o = 0; o < orgs; o++) {
    const org = (await stack.db.query<{ id: string }>('insert into organisations (name) values ($1) returning id', [`Bench org ${o}`])).rows[0]!;
    const n = nextNumber++;
    const number = `whatsapp:+1555${String(1000000 + n)}`;
    await stack.db.query('insert into channels (organisation_id, name, whatsapp_number) values ($1, $2, $3)', [org.id, `Bench ${o}`, number]);
    const users = (
      await stack.db.query<{ id: string }>(
        `insert into auth.users (email, email_confirmed_at) select 'bench-' || $1 || '-' || g || '@bench.test', now() from generate_series(1, $2) g returning id`,
        [n, agentsPerOrg],
      )
    ).rows;
    await stack.db.query(`insert into agents (id, organisation_id, display_name) select unnest($1::uuid[]), $2, 'Bench agent'`, [
      users.map((u) => u.id),
      org.id,
    ]);
    const agents = await Promise.all(users.map(async (u) => ({ id: u.id, token: await tokenFor(stack, u.id) })));
    result.push({ id: org.id, number, agents });
  }
  return result;
}

/** An access token for the user `id`, valid for an hour: what the local Auth would issue. */
const tokenFor = (stack: { jwtSecret: string }, id: string) =>
  signSupabaseJwt(stack.jwtSecret, { role: 'authenticated', aud: 'authenticated', sub: id, exp: Math.floor(Date.now() / 1000) + 3600 });

/** The user id of the agent signed in as `email` (a `benchAgent`), and a token for another client of theirs. */
export async function agentOf(stack: { db: pg.Pool; jwtSecret: string }, email: string): Promise<{ id: string; token: string }> {
  const { id } = (await stack.db.query<{ id: string }>('select id from auth.users where email = $1', [email])).rows[0]!;
  return { id, token: await tokenFor(stack, id) };
}

/** An agent of `organisationId` who signs in with a password (what the browser needs). */
export async function benchAgent(stack: { db: pg.Pool }, organisationId: string): Promise<string> {
  const email = `ext-${Date.now()}-${Math.random().toString(36).slice(2, 6)}@bench.test`;
  const { rows } = await stack.db.query<{ id: string }>(
    'insert into auth.users (email, encrypted_password, email_confirmed_at) values ($1, $2, now()) returning id',
    [email, await bcrypt.hash('bench password', 10)],
  );
  await stack.db.query(`insert into agents (id, organisation_id, display_name) values ($1, $2, 'Bench agent')`, [rows[0]!.id, organisationId]);
  return email;
}

/** Resolves once every one of `sockets` is connected. */
export const allConnected = (sockets: Socket[]) =>
  Promise.all(sockets.map((s) => new Promise<void>((r) => (s.connected ? r() : s.once('connect', () => r())))));
