import { createClient, type RealtimeChannel, type SupabaseClient } from '@supabase/supabase-js';
import WebSocket from 'ws';
import type { Stack } from '../../server/stack';
import { until as waitUntil } from './wait';

/** Unmodified supabase-js clients against a stack's local Supabase; closed by `closeAll`. */
export class RealtimeClients {
  private clients: SupabaseClient[] = [];

  constructor(private readonly stack: () => Stack) {}

  /** A client with `token` as its Realtime access token (or the anon key when null). */
  async client(token: string | null, opts: { vsn?: '1.0.0' | '2.0.0'; apiKey?: string } = {}): Promise<SupabaseClient> {
    const s = this.stack();
    const c = createClient(s.config.supabaseUrl, opts.apiKey ?? s.config.supabaseAnonKey, {
      auth: { persistSession: false, autoRefreshToken: false },
      realtime: { transport: WebSocket as never, ...(opts.vsn ? { vsn: opts.vsn } : {}) },
    });
    if (token) await c.realtime.setAuth(token);
    this.clients.push(c);
    return c;
  }

  async closeAll(): Promise<void> {
    for (const c of this.clients) {
      await c.removeAllChannels().catch(() => {});
      await c.realtime.disconnect();
    }
    this.clients = [];
  }
}

export interface Watched {
  channel: RealtimeChannel;
  statuses: string[];
  errors: string[];
  system: Array<{ status?: string; message?: string; extension?: string }>;
}

/** Subscribes and resolves once SUBSCRIBED and (with postgres bindings) "Subscribed to PostgreSQL". */
export async function subscribed(channel: RealtimeChannel, expectPostgres: boolean, ms = 10_000): Promise<Watched> {
  const w: Watched = { channel, statuses: [], errors: [], system: [] };
  channel.on('system', {}, (p: Watched['system'][number]) => w.system.push(p));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not subscribed: ${w.statuses.join(',')} ${w.errors.join(',')}`)), ms);
    const check = () => {
      if (w.statuses.includes('SUBSCRIBED') && (!expectPostgres || w.system.some((s) => s.message === 'Subscribed to PostgreSQL'))) {
        clearTimeout(timer);
        resolve();
      }
    };
    channel.on('system', {}, check);
    channel.subscribe((status, err) => {
      w.statuses.push(status);
      if (err) w.errors.push(err.message);
      check();
    });
  });
  return w;
}

/** Resolves when `fn()` is true; rejects with `what` after `ms` (the one waiting helper, `./wait.ts`). */
export const until = (fn: () => boolean, what: string, ms = 10_000): Promise<void> => waitUntil(fn, { what, timeout: ms });

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
