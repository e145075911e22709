import type { RealtimeChannel, SupabaseClient } from '@supabase/supabase-js';
import type { ChannelState } from '../../connection/status';
import { backoff } from '../../connection/backoff';
import { NOT_ANSWERING } from '../../connection/heartbeat';
import type { AgentProfile } from '../../contract/models';

type Row = Record<string, unknown>;

/** What the Realtime link reports: rows as they change, and its channel's state. */
export interface RealtimeLinkDeps {
  supabase: SupabaseClient;
  onMessageRow(row: Row): void;
  onConversationRow(row: Row): void;
  onReadStateRow(row: Row): void;
  onState(state: ChannelState, error?: string): void;
  /** "Subscribed to PostgreSQL": from here on nothing is missed, so catch up now. */
  onSubscribed(): void;
}

/**
 * What this agent's channel listens to (docs/delivery-scope.md): its scope's keys, or the whole
 * organisation while a page shows it, and conversations outside the scope that are open or shown
 * (`extra`, at most 100: Realtime's `in` limit).
 */
export interface DeliveryScope {
  keys: string[];
  whole: boolean;
  extra: string[];
}

const list = (values: string[]) => `(${values.join(',')})`;
const scopeText = (s: DeliveryScope) => (s.whole ? 'whole' : `${s.keys.join(',')}|${s.extra.join(',')}`);

/**
 * The primary live path: one Supabase Realtime channel with `postgres_changes` on the messages and
 * conversations of the agent's delivery scope and the agent's own read state (each checked against
 * RLS by Realtime). Hosted Supabase takes one condition per binding, so the scope is several
 * bindings: rows whose `scope_key` is one of the agent's, conversations that just left one of them
 * (`left_scope_key`), and the extra conversations by id. A new scope opens a new channel and drops
 * the old one once the new one is subscribed (then catches up), so nothing is missed in between.
 * realtime-js rejoins by itself after a network error; a channel the server closed (an expired
 * token) it never rejoins, so that one is resubscribed here, with backoff. The client's heartbeat
 * (every REALTIME_HEARTBEAT_MS, set where the client is made) notices a server that stops
 * answering; realtime-js then reconnects and rejoins by itself.
 */
export class RealtimeLink {
  private channel: RealtimeChannel | null = null;
  /** The channel a new scope's is replacing, until that one is subscribed. */
  private replaced: RealtimeChannel | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private attempts = 0;
  private generation = 0;
  private agent: AgentProfile | null = null;
  private scope: DeliveryScope | null = null;

  constructor(private readonly deps: RealtimeLinkDeps) {}

  /** Subscribes for this agent and scope (the caller has set the session's token on the client). */
  subscribe(agent: AgentProfile, scope: DeliveryScope): void {
    this.agent = agent;
    this.scope = scope;
    this.open(false);
  }

  /** The scope changed: a channel for the new one replaces the current (make before break). */
  setScope(scope: DeliveryScope): void {
    const changed = !this.scope || scopeText(this.scope) !== scopeText(scope);
    this.scope = scope;
    if (changed && this.agent && this.channel) this.open(true);
  }

  private open(replacing: boolean): void {
    const agent = this.agent!;
    const scope = this.scope!;
    const { supabase } = this.deps;
    if (replacing && this.replaced) void supabase.removeChannel(this.replaced);
    this.replaced = replacing ? this.channel : null;
    // A fresh topic each time: realtime-js hands back an existing channel with the same topic, and
    // one whose leave timed out (socket down) is never torn down, so it would be reused, already
    // subscribed once, and never join again.
    const channel = supabase.channel(`inbox:${agent.organisationId}:${++this.generation}`);
    this.channel = channel;
    if (!replacing) this.deps.onState('connecting');
    const rows = (table: 'messages' | 'conversations', filter: string) =>
      channel.on('postgres_changes', { event: '*', schema: 'public', table, filter }, (p) => {
        if (p.eventType === 'DELETE') return;
        if (table === 'messages') this.deps.onMessageRow(p.new as Row);
        else this.deps.onConversationRow(p.new as Row);
      });
    if (scope.whole) {
      rows('messages', `organisation_id=eq.${agent.organisationId}`);
      rows('conversations', `organisation_id=eq.${agent.organisationId}`);
    } else {
      rows('messages', `scope_key=in.${list(scope.keys)}`);
      rows('conversations', `scope_key=in.${list(scope.keys)}`);
      rows('conversations', `left_scope_key=in.${list(scope.keys)}`);
      if (scope.extra.length) {
        rows('messages', `conversation_id=in.${list(scope.extra)}`);
        rows('conversations', `id=in.${list(scope.extra)}`);
      }
    }
    channel
      .on('postgres_changes', { event: '*', schema: 'public', table: 'read_states', filter: `agent_id=eq.${agent.id}` }, (p) => {
        if (p.eventType !== 'DELETE') this.deps.onReadStateRow(p.new as Row);
      })
      .on('system', {}, (p: { extension?: string; status?: string; message?: string }) => {
        if (p.extension !== 'postgres_changes' || this.channel !== channel) return;
        if (p.status === 'ok') {
          if (this.replaced) void supabase.removeChannel(this.replaced);
          this.replaced = null;
          this.attempts = 0;
          this.deps.onState('connected');
          this.deps.onSubscribed();
        } else this.deps.onState('disconnected', p.message ?? 'Realtime subscription failed');
      })
      .subscribe((status, err) => {
        if (this.channel !== channel) return;
        if (status === 'CHANNEL_ERROR' || status === 'TIMED_OUT') {
          // realtime-js rejoins by itself; we catch up when it is subscribed again. (After a
          // heartbeat timeout the heartbeat's own report says why: not repeated here.)
          if (err?.message !== 'heartbeat timeout') this.deps.onState('disconnected', err?.message ?? status);
        } else if (status === 'CLOSED') {
          this.deps.onState('disconnected', 'Realtime channel closed');
          this.scheduleResubscribe();
        }
      });
  }

  /** Drops the channel and subscribes anew with the session's current token (if there is one). */
  async resubscribe(): Promise<void> {
    const old = [this.channel, this.replaced];
    this.channel = null;
    this.replaced = null;
    for (const channel of old) if (channel) await this.deps.supabase.removeChannel(channel);
    const { data } = await this.deps.supabase.auth.getSession();
    if (!data.session || !this.agent || !this.scope) return;
    await this.deps.supabase.realtime.setAuth(data.session.access_token);
    this.subscribe(this.agent, this.scope);
  }

  /** realtime-js's heartbeat: one unanswered in time means the server is not answering. */
  heartbeat(status: string): void {
    if (status === 'timeout' && this.channel) this.deps.onState('disconnected', NOT_ANSWERING);
  }

  /** Resubscribes now, forgetting earlier failures (the agent asked to reconnect). */
  async reconnectNow(): Promise<void> {
    this.attempts = 0;
    await this.resubscribe();
  }

  /** Whether a resubscription is already waiting for its turn. */
  get waiting(): boolean {
    return this.timer !== null;
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.channel = null; // before removal, so its CLOSED is not taken for a server close
    this.replaced = null;
    this.agent = null;
    void this.deps.supabase.removeAllChannels();
    void this.deps.supabase.realtime.disconnect();
  }

  private scheduleResubscribe(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.resubscribe();
    }, backoff(this.attempts++));
  }
}
