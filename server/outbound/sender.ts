import type pg from 'pg';
import type { MessageView, StoredMediaItem } from '../../lib/contract/models';
import type { Logger } from '../logger';
import { advanceStatus } from './repository';
import type { TwilioClient } from './twilio-client';

/** How a sender is limited: Twilio's WhatsApp default is about 10 messages/s per sender. */
const PER_SENDER_PER_SECOND = 10;
const MAX_ATTEMPTS = 8;
const CONCURRENCY = 8;
/** A claim this old without a MessageSid: the server stopped mid-call; the outcome is unknown. */
const STALE_CLAIM_MS = 2 * 60_000;
const SWEEP_MS = 30_000;

interface Claimed {
  id: string;
  organisation_id: string;
  body: string;
  media: StoredMediaItem[];
  content_sid: string | null;
  content_variables: Record<string, string> | null;
  send_attempts: number;
  to: string;
  from: string | null;
  messaging_service_sid: string | null;
}

/**
 * Sends stored replies through Twilio: a durable outbox in the messages table. Each reply is
 * claimed by one sender (`for update skip locked`, so several server instances share the work),
 * sent once, and its MessageSid recorded. A 429 or a refused connection (the request never reached
 * Twilio) is retried with backoff and jitter; anything else is a clear failure for the agent.
 * Nothing is resent whose outcome is unknown: that would risk a duplicate on the customer's phone.
 */
export function createSender(deps: {
  db: pg.Pool;
  twilio: TwilioClient;
  statusCallbackUrl: (messageId: string) => string;
  /** The URL Twilio fetches an agent's uploaded file from (signed, expiring). */
  uploadUrl: (uploadId: string) => string;
  log: Logger;
  onStatus(organisationId: string, message: MessageView): void;
}) {
  let running = true;
  let active = 0;
  const inflight = new Set<Promise<void>>();
  const sentAt = new Map<string, number[]>(); // sender -> send times in the last second
  let timer: ReturnType<typeof setTimeout> | null = null;
  let pumping = false;
  let again = false;
  /** The pump's and the sweep's runs under way: a stop waits for them (their queries would fail once the pool closes). */
  let pumpRun: Promise<void> = Promise.resolve();
  let sweepRun: Promise<void> = Promise.resolve();

  const claim = async (): Promise<Claimed | null> => {
    const { rows } = await deps.db.query<Claimed>(
      `with next as (
         -- A reply goes only to its own organisation's customer, from its own organisation's
         -- channel (the schema's composite keys guarantee it; the query says so too).
         select m.id, 'whatsapp:' || ct.phone_e164 as "to", ch.whatsapp_number as "from", ch.messaging_service_sid
           from messages m
           join conversations cv on cv.id = m.conversation_id and cv.organisation_id = m.organisation_id
           join contacts ct on ct.id = cv.contact_id and ct.organisation_id = m.organisation_id
           join channels ch on ch.id = cv.channel_id and ch.organisation_id = m.organisation_id
          where m.direction = 'outbound' and m.status = 'accepted' and m.send_claimed_at is null
            and (m.next_attempt_at is null or m.next_attempt_at <= now())
          order by m.created_at limit 1 for update of m skip locked)
       update messages m set send_claimed_at = now(), send_attempts = m.send_attempts + 1
         from next where m.id = next.id
       returning m.id, m.organisation_id, m.body, m.media, m.content_sid, m.content_variables, m.send_attempts,
                 next."to", next."from", next.messaging_service_sid`,
    );
    return rows[0] ?? null;
  };

  /** Waits for the sender's share of Twilio's rate (in-process; Twilio's 429 covers the rest). */
  const slot = async (sender: string) => {
    for (;;) {
      const now = Date.now();
      const times = (sentAt.get(sender) ?? []).filter((t) => t > now - 1000);
      if (times.length < PER_SENDER_PER_SECOND) {
        sentAt.set(sender, [...times, now]);
        return;
      }
      await new Promise((r) => setTimeout(r, times[0]! + 1000 - now + 1));
    }
  };

  const emit = (r: { organisationId: string; message: MessageView } | null) => r && deps.onStatus(r.organisationId, r.message);

  const send = async (m: Claimed) => {
    await slot(m.from ?? m.messaging_service_sid!);
    try {
      const created = await deps.twilio.messages.create({
        to: m.to,
        ...(m.from ? { from: m.from } : { messagingServiceSid: m.messaging_service_sid! }),
        ...(m.content_sid
          ? { contentSid: m.content_sid, contentVariables: JSON.stringify(m.content_variables ?? {}) }
          : {
              body: m.body,
              ...(m.media.length ? { mediaUrl: m.media.flatMap((x) => (x.uploadId ? [deps.uploadUrl(x.uploadId)] : x.url ? [x.url] : [])) } : {}),
            }),
        statusCallback: deps.statusCallbackUrl(m.id),
      });
      emit(await advanceStatus(deps.db, { id: m.id, twilioSid: created.sid }, created.status === 'accepted' ? 'queued' : created.status));
    } catch (err) {
      const e = err as { status?: number; code?: number | string; message?: string };
      const neverReached = typeof e.code === 'string' && ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN'].includes(e.code);
      if ((e.status === 429 || neverReached) && m.send_attempts < MAX_ATTEMPTS) {
        // Safe to retry: Twilio refused or never saw the request. Backoff with jitter.
        const wait = Math.min(60_000, 500 * 2 ** (m.send_attempts - 1)) * (0.5 + Math.random() / 2);
        deps.log.info({ id: m.id, status: e.status, code: e.code, wait }, 'Twilio send deferred');
        await deps.db.query(`update messages set send_claimed_at = null, next_attempt_at = now() + make_interval(secs => $2) where id = $1`, [
          m.id,
          wait / 1000,
        ]);
        schedule(wait);
        return;
      }
      const reason =
        e.status === 429
          ? `Twilio kept rate-limiting this sender; gave up after ${m.send_attempts} attempts. Try again later.`
          : neverReached
            ? `Twilio could not be reached after ${m.send_attempts} attempts.`
            : (e.message ?? 'Twilio refused the message');
      deps.log.warn({ id: m.id, status: e.status, code: e.code, err: e.message }, 'Twilio refused a reply');
      emit(await advanceStatus(deps.db, { id: m.id }, 'failed', { code: typeof e.code === 'number' ? e.code : null, message: reason }));
    }
  };

  /** Claims and sends due replies, up to CONCURRENCY at a time (one run at a time; a call meanwhile makes it go round again). */
  const pump = (): Promise<void> => {
    if (pumping) {
      again = true;
      return pumpRun;
    }
    pumping = true;
    pumpRun = pumpOnce();
    return pumpRun;
  };
  const pumpOnce = async () => {
    try {
      do {
        again = false;
        while (running && active < CONCURRENCY) {
          const m = await claim();
          if (!m) {
            await wakeForNextDue();
            break;
          }
          active++;
          const p = send(m)
            .catch((err) => deps.log.error({ err, id: m.id }, 'outbox send crashed'))
            .finally(() => {
              active--;
              inflight.delete(p);
              if (running) void pump();
            });
          inflight.add(p);
        }
      } while (again && running);
    } catch (err) {
      deps.log.error({ err }, 'outbox pump failed'); // the database is away: the sweep tries again
    } finally {
      pumping = false;
    }
  };

  let wakeAt = Infinity;
  function schedule(ms: number) {
    if (!running) return;
    const at = Date.now() + ms;
    if (at >= wakeAt - 5) return; // an earlier wake-up is already set
    wakeAt = at;
    setTimeout(() => {
      wakeAt = Infinity;
      void pump();
    }, ms + 5).unref();
  }

  /** Any instance wakes for the earliest deferred reply, whichever instance deferred it. */
  const wakeForNextDue = async () => {
    const { rows } = await deps.db.query<{ ms: number | null }>(
      `select extract(epoch from (min(next_attempt_at) - now())) * 1000 as ms from messages
        where direction = 'outbound' and status = 'accepted' and send_claimed_at is null and next_attempt_at is not null`,
    );
    const ms = rows[0]?.ms;
    if (ms !== null && ms !== undefined) schedule(Math.max(0, Number(ms)));
  };

  /** Claims whose call never finished (a server stopped mid-call) become failures the agent sees. */
  const recoverStale = async () => {
    const { rows } = await deps.db.query<{ id: string }>(
      `select id from messages where direction = 'outbound' and status = 'accepted' and twilio_sid is null
          and send_claimed_at < now() - make_interval(secs => $1)`,
      [STALE_CLAIM_MS / 1000],
    );
    for (const { id } of rows) {
      emit(
        await advanceStatus(deps.db, { id }, 'failed', {
          code: null,
          message:
            'The server stopped while sending this reply, so Switchboard cannot tell whether it went out; it was not resent to avoid a duplicate. Check with the customer before retrying.',
        }),
      );
    }
  };

  const sweep = () =>
    (sweepRun = (async () => {
      await recoverStale().catch((err) => deps.log.error({ err }, 'outbox recovery failed'));
      await pump();
      if (running) timer = setTimeout(() => void sweep(), SWEEP_MS);
    })());
  void sweep(); // replies left unsent by a stopped server go out now

  return {
    /** A reply was stored: send it now. */
    kick: () => void pump(),
    /**
     * Stops claiming and waits (bounded) for calls in flight, so none is left with an unknown
     * outcome, and for the pump's and the sweep's queries under way.
     */
    async stop(timeoutMs = 10_000) {
      running = false;
      if (timer) clearTimeout(timer);
      await Promise.race([Promise.allSettled([...inflight, pumpRun, sweepRun]), new Promise((r) => setTimeout(r, timeoutMs).unref())]);
    },
  };
}
export type Sender = ReturnType<typeof createSender>;
