-- One lock order for an agent's rows: the agent's row (`agents`) first, then their presence and
-- routing rows (docs/routing.md, "Presence").
--
-- An operator's move of an agent to another organisation (`update agents set organisation_id`,
-- …_routing_agent_moved.sql) locks the agent's row first (its own UPDATE, before any trigger), then
-- deletes the agent's team memberships, routing row and presence row. The server's writes went the
-- other way: a presence write locks the presence row, and when it begins a span of time available
-- (…_report_availability.sql) the span's insert checks its foreign key with a share lock on the
-- agent's row; an availability change locks the routing row, then the presence row, then inserts a
-- span the same way. Each pair could wait for each other: PostgreSQL ended one with "deadlock
-- detected" (40P01). These functions, the server's only writes of presence and availability, take
-- a key-share lock on the agent's row first (it does not wait for ordinary updates of the agent,
-- only for a move or a deletion, which then wait for it, or it for them), then the rows in agent
-- order. tests/integration/routing.agent-moved.test.ts makes the interleaving that deadlocked.
--
-- Times as before: the database's, or generated history's (`history_clock()`).

-- A browser of these agents connected, came back or is still there: connected for `p_ttl_seconds` from now.
create function public.presence_mark_connected(p_agents uuid[], p_ttl_seconds double precision) returns void
language plpgsql as $$
declare
  v_now timestamptz := coalesce(public.history_clock(), now());
begin
  perform 1 from public.agents where id = any (p_agents) order by id for key share;
  perform 1 from public.agent_presence where agent_id = any (p_agents) order by agent_id for no key update;
  update public.agent_presence set connected_until = v_now + make_interval(secs => p_ttl_seconds), last_seen_at = v_now
   where agent_id = any (p_agents);
end
$$;

-- The agent's last non-idle browser went: not connected from now.
create function public.presence_mark_gone(p_agent uuid) returns void language plpgsql as $$
begin
  perform 1 from public.agents where id = p_agent for key share;
  update public.agent_presence set connected_until = null, last_seen_at = coalesce(public.history_clock(), now())
   where agent_id = p_agent and connected_until is not null;
end
$$;

-- The agent's own availability (a span of time available may end and begin with it).
create function public.routing_set_availability(p_agent uuid, p_org uuid, p_availability text) returns void
language plpgsql as $$
begin
  perform 1 from public.agents where id = p_agent and organisation_id = p_org for key share;
  update public.agent_routing set availability = p_availability, availability_changed_at = now()
   where agent_id = p_agent and organisation_id = p_org and availability <> p_availability;
end
$$;

revoke execute on function public.presence_mark_connected(uuid[], double precision), public.presence_mark_gone(uuid),
  public.routing_set_availability(uuid, uuid, text) from public, anon, authenticated;
