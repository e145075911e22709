/**
 * Delivery scope (docs/delivery-scope.md): which conversations reach an agent's client live. Every
 * conversation and message carries one scope key, kept by the database
 * (supabase/migrations/…_delivery_scope.sql, the same three forms as below); an agent's client
 * receives the keys this function gives it, by Realtime filters and by Socket.IO rooms alike.
 */

/** Assigned to this agent. */
export const agentScopeKey = (agentId: string) => `agent:${agentId}`;
/** Unassigned, in a channel this team answers. */
export const teamQueueKey = (teamId: string) => `queue:${teamId}`;
/** Unassigned, in a channel no team answers. */
export const organisationQueueKey = (organisationId: string) => `queue:org:${organisationId}`;

/**
 * Realtime's `in` filter takes at most 100 values (hosted Supabase and the local stack alike): an
 * agent in more teams than that receives the first ones' queues only.
 */
export const SCOPE_KEYS_MAX = 100;

/**
 * An agent's scope: its own conversations and the unassigned ones of its teams' channels; of the
 * organisation's channels until teams exist. An agent in no team while teams exist has every
 * queue, as the list's "my teams" then narrows nothing; an agent in a team does not get the queue
 * of channels no team answers (the list's "my teams" does not show them either).
 * @example scopeKeys('a1', 'o1', [{ id: 't1', member: true }, { id: 't2', member: false }]) // ['agent:a1', 'queue:t1']
 */
export function scopeKeys(agentId: string, organisationId: string, teams: ReadonlyArray<{ id: string; member: boolean }>): string[] {
  const mine = teams.filter((t) => t.member);
  const queues =
    mine.length > 0 ? mine.map((t) => teamQueueKey(t.id)).sort() : [organisationQueueKey(organisationId), ...teams.map((t) => teamQueueKey(t.id)).sort()];
  return [agentScopeKey(agentId), ...queues].slice(0, SCOPE_KEYS_MAX);
}
