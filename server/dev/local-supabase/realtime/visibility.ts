/**
 * Which subscribers of a table see the same rows, so the local Realtime checks Row Level Security
 * once per group instead of once per subscriber (its per-change cost then grows with the distinct
 * visibilities, not with the subscribers).
 *
 * A key is SQL over `x.claims` (the subscriber's JWT claims) giving the value the table's policies
 * depend on; subscribers with the same role and the same key see the same rows. This is the
 * project's own knowledge of its policies (supabase/migrations): `messages` and `conversations` are
 * readable where `organisation_id = public.my_organisation_id()`, the organisation of the agent
 * whose id is the token's `sub`. A table without a key (read_states: per agent) is checked per
 * subscriber, as is any subscriber whose key is null (not an agent). Computed afresh for every
 * change: an agent removed or moved is grouped by what is true now.
 * `tests/integration/realtime.visibility.test.ts` holds the grouping to the per-subscriber answer.
 */
const AGENT_ORGANISATION = `(select a.organisation_id::text from public.agents a
  where x.claims ->> 'sub' ~ '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$'
    and a.id = (x.claims ->> 'sub')::uuid)`;

const KEYS: Record<string, string> = {
  'public.messages': AGENT_ORGANISATION,
  'public.conversations': AGENT_ORGANISATION,
};

/** The visibility key SQL of a table (`schema.table`), or null: checked per subscriber. */
export function visibilityKeySql(schema: string, table: string): string | null {
  return KEYS[`${schema}.${table}`] ?? null;
}
