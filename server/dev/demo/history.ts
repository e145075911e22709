import type pg from 'pg';
import type { AgentProfile } from '../../../lib/contract/models';
import { findAgent, markRead } from '../../inbox/repository';
import { historyWriter, type HistoryWriter } from '../history';
import { DEMO_WHATSAPP_NUMBER } from './contacts';

/** How many generated customers, and over how many days before today, the demo history covers. */
export const DEMO_HISTORY_CUSTOMERS = 24;
export const DEMO_HISTORY_DAYS = 21;

const FIRST_NAMES = ['Ana', 'Ben', 'Chloé', 'Dev', 'Elif', 'Farah', 'Gustav', 'Hana', 'Ivan', 'Júlia', 'Kofi', 'Lena'];
const LAST_NAMES = ['Silva', 'Novak', 'Dubois', 'Patel', 'Yılmaz', 'Haddad', 'Berg', 'Sato', 'Petrov', 'Costa', 'Mensah', 'Fischer'];
const QUESTIONS = ['Where is my order?', 'Can I change the delivery address?', 'Do you have this in blue?', 'My invoice is wrong', 'How do I return an item?'];
const FOLLOW_UPS = ['Thanks, and one more thing…', 'Any news?', 'Great, can you confirm by e-mail?'];
const ANSWERS = ['Let me check that for you.', 'Done! Anything else?', 'I have sent you the details.', 'Sorry for the wait, it is on its way.'];

/** A small seeded generator (mulberry32): the same history on every start of the same day. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A generated customer's number: +1 202 555 01xx, a range kept for fiction. */
export const demoHistoryPhone = (i: number) => `+1202555${String(100 + i).padStart(4, '0')}`;

/**
 * The agents' working days (docs/reports.md, "Time available"): on weekdays before today each
 * connects in the morning, is Away for lunch and Busy for a while in the afternoon, and leaves at
 * the end of the day, Available again (so the live state stays the demo's own). Only for an agent
 * with no span yet: a later start, with browsers perhaps connected, writes none.
 */
async function seedDemoShifts(db: pg.Pool, h: HistoryWriter, agents: AgentProfile[], today: number): Promise<void> {
  const { rows } = await db.query<{ agent_id: string }>('select distinct agent_id from report_agent_spans where agent_id = any($1::uuid[])', [
    agents.map((a) => a.id),
  ]);
  const started = new Set(rows.map((r) => r.agent_id));
  for (const [n, agent] of agents.entries()) {
    if (started.has(agent.id)) continue;
    const rnd = random(today / 86_400_000 + 104_729 * (n + 1));
    const at = (day: number, hours: number, spread: number) => new Date(day + (hours + rnd() * spread) * 3_600_000);
    for (let day = today - DEMO_HISTORY_DAYS * 86_400_000; day < today; day += 86_400_000) {
      const weekday = new Date(day).getUTCDay();
      if (weekday === 0 || weekday === 6) continue;
      const [start, lunch, busy, end] = [at(day, 8.5, 1), at(day, 12, 0.5), at(day, 15, 1), at(day, 17, 1)];
      await h.connected(start, agent.id, (end.getTime() - start.getTime()) / 1000);
      await h.availability(lunch, agent, 'away');
      await h.availability(new Date(lunch.getTime() + (30 + rnd() * 30) * 60_000), agent, 'available');
      await h.availability(busy, agent, 'busy');
      await h.availability(new Date(busy.getTime() + (20 + rnd() * 40) * 60_000), agent, 'available');
      await h.gone(end, agent.id);
    }
  }
}

/**
 * Three weeks of conversations for the demo organisation, so reports have data at once
 * (docs/reports.md): customers write in business hours (fewer at weekends), Alice and Bob answer
 * within minutes to hours, follow-ups, notes, resolves, and customers coming back days later;
 * all of it resolved and read, so the inbox's open conversations stay the demo's own. The agents'
 * working days too (`seedDemoShifts`), so the time available is not empty.
 * Written through the live write paths by `historyWriter`. Resumable per customer: one whose
 * conversation exists is skipped, so a start stopped half-way is finished by the next.
 */
export async function seedDemoHistory(db: pg.Pool, organisationId: string, agentEmails: readonly string[], now = new Date()): Promise<number> {
  const { rows: ids } = await db.query<{ id: string }>(
    'select a.id from agents a join auth.users u on u.id = a.id where a.organisation_id = $1 and lower(u.email) = any($2) order by u.email',
    [organisationId, agentEmails.map((e) => e.toLowerCase())],
  );
  const agents = (await Promise.all(ids.map((r) => findAgent(db, r.id)))).filter((a): a is AgentProfile => !!a);
  if (!agents.length) return 0;
  const { rows: done } = await db.query<{ phone_e164: string }>(
    'select ct.phone_e164 from contacts ct join conversations c on c.contact_id = ct.id where ct.organisation_id = $1 and ct.phone_e164 like $2',
    [organisationId, '+1202555%'],
  );
  const skip = new Set(done.map((r) => r.phone_e164));
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const latest = now.getTime() - 3_600_000; // nothing generated in the last hour
  const h = historyWriter(db);
  let written = 0;
  try {
    await seedDemoShifts(db, h, agents, today);
    for (let i = 0; i < DEMO_HISTORY_CUSTOMERS; i++) {
      const phone = demoHistoryPhone(i);
      if (skip.has(phone)) continue;
      const rnd = random(today / 86_400_000 + i * 7919);
      const pick = <T>(list: readonly T[]) => list[Math.floor(rnd() * list.length)]!;
      const minutes = (lo: number, hi: number) => (lo + rnd() * (hi - lo)) * 60_000;
      const profileName = `${pick(FIRST_NAMES)} ${pick(LAST_NAMES)}`;
      let t = today - DEMO_HISTORY_DAYS * 86_400_000 + Math.floor(rnd() * (DEMO_HISTORY_DAYS - 1)) * 86_400_000;
      let conversationId: string | null = null;
      while (true) {
        const day = new Date(t).getUTCDay();
        if ((day === 0 || day === 6) && rnd() < 0.7) t += (day === 6 ? 2 : 1) * 86_400_000; // most write on weekdays
        t = Math.floor(t / 86_400_000) * 86_400_000 + minutes(7 * 60, 19 * 60);
        if (t > latest - 86_400_000) break;
        const write = async (body: string) => (await h.inbound(new Date(t), { from: phone, to: DEMO_WHATSAPP_NUMBER, body, profileName })).conversationId;
        const id = (conversationId = await write(pick(QUESTIONS)));
        if (rnd() < 0.3) {
          t += minutes(0.5, 3);
          await write(pick(FOLLOW_UPS));
        }
        const agent = pick(agents);
        t += rnd() < 0.8 ? minutes(1, 45) : minutes(60, 8 * 60); // most answers within the hour
        if (rnd() < 0.2) await h.note(new Date(t - 30_000), agent, id, 'Checked the order system.');
        await h.reply(new Date(t), agent, id, { body: pick(ANSWERS) });
        if (rnd() < 0.4) {
          t += minutes(2, 90);
          await write(pick(FOLLOW_UPS));
          t += minutes(1, 30);
          await h.reply(new Date(t), rnd() < 0.7 ? agent : pick(agents), id, { body: pick(ANSWERS) });
        }
        t += minutes(5, 240);
        await h.status(new Date(t), agent, id, { status: 'resolved' });
        written++; // one cycle
        t += (1 + Math.floor(rnd() * 6)) * 86_400_000; // back a few days later, or never
        if (rnd() < 0.4) break;
      }
      // History is read: it adds nothing to anyone's unread counts.
      for (const a of agents) if (conversationId) await markRead(db, a, conversationId);
    }
  } finally {
    await h.close();
  }
  return written;
}
