-- Each agent's time available (issue 35, docs/reports.md "Time available"): spans of what routing
-- saw of the agent, kept as it changes, in the same transaction as the change, by triggers on the
-- two rows that decide it (every write path counts, on every server instance):
--   - `agent_routing.availability`, the agent's own Available / Busy / Away;
--   - `agent_presence.connected_until`, a browser of theirs connected and not idle, while it is
--     ahead of the clock (routing's presence, docs/routing.md "Presence").
-- A span's `state` is the agent's availability **while connected**; a disconnected agent has no
-- span (their availability is kept, but no time counts). `available` spans are therefore exactly
-- the time routing could give the agent work. One series per agent: at most one open span
-- (`ended_at` null), spans never overlap.
--
-- Presence ends in two ways. A last socket that disconnects or goes idle clears `connected_until`:
-- the span ends then. An instance that dies stops pushing `connected_until` ahead, and routing
-- counts the agent gone from that moment on, with no write at all: so an open span ends, for a
-- report, at `least(now(), agent_presence.connected_until)`, and the next write of the agent's
-- presence or availability closes it at that old `connected_until`. Nothing polls.
--
-- Times are the database's clock at the write (`clock_timestamp()`, after the agent's presence row
-- is locked, so one agent's changes are stamped in the order they commit), or the history clock
-- (`switchboard.history_clock`, …_history_clock.sql) when generated history sets one.
-- RLS on, no policy, nothing granted to clients (like the other report tables): reports read them
-- through the server, for admins and leads of the organisation only.

create table public.report_agent_spans (
  id bigint generated always as identity primary key,
  organisation_id uuid not null references public.organisations (id) on delete cascade,
  agent_id uuid not null references public.agents (id) on delete cascade,
  state text not null check (state in ('available', 'busy', 'away')),
  started_at timestamptz not null,
  ended_at timestamptz,
  check (ended_at >= started_at)
);
-- A report reads the spans that began in its period, and per agent the one span before it.
create index report_agent_spans_started_idx on public.report_agent_spans (organisation_id, started_at) include (agent_id, state, ended_at);
create index report_agent_spans_agent_idx on public.report_agent_spans (agent_id, started_at desc);
create unique index report_agent_spans_open_idx on public.report_agent_spans (agent_id) where ended_at is null;

alter table public.report_agent_spans enable row level security;
revoke all on public.report_agent_spans from anon, authenticated;

-- Moves the agent's span series to `p_state` (null: not connected) at the current clock. `p_until`
-- is the agent's `connected_until` before this change: an open span that outlived it had already
-- ended there. The caller holds the agent's presence row lock.
create function public.report_span_move(p_org uuid, p_agent uuid, p_until timestamptz, p_state text) returns void
language plpgsql as $$
declare
  v_at timestamptz := coalesce(public.history_clock(), clock_timestamp());
  v_open public.report_agent_spans;
  v_end timestamptz := least(v_at, coalesce(p_until, v_at));
begin
  select * into v_open from public.report_agent_spans where agent_id = p_agent and ended_at is null;
  if found then
    if v_open.state = p_state and v_end = v_at then
      return; -- still the same, and never lapsed
    end if;
    update public.report_agent_spans set ended_at = greatest(v_open.started_at, v_end) where id = v_open.id;
  end if;
  if p_state is not null then
    insert into public.report_agent_spans (organisation_id, agent_id, state, started_at) values (p_org, p_agent, p_state, v_at);
  end if;
end
$$;

-- Presence: a connection that begins, lapses, ends; a refresh of a connected agent costs no read.
create function public.report_spans_on_presence() returns trigger language plpgsql as $$
declare
  v_at timestamptz := coalesce(public.history_clock(), clock_timestamp());
  v_availability text;
begin
  if tg_op = 'DELETE' then
    -- An agent deleted takes their spans with them (cascade); one moved to another organisation
    -- (…_routing_agent_moved.sql) ends the old organisation's span here.
    if not exists (select 1 from public.agents where id = old.agent_id) then
      return old;
    end if;
    perform public.report_span_move(old.organisation_id, old.agent_id, old.connected_until, null);
    return old;
  end if;
  if old.connected_until > v_at and new.connected_until > v_at then
    return new;
  end if;
  if new.connected_until > v_at then
    select availability into v_availability from public.agent_routing where agent_id = new.agent_id;
  end if;
  perform public.report_span_move(new.organisation_id, new.agent_id, old.connected_until, v_availability);
  return new;
end
$$;
create trigger agent_presence_report_spans after update of connected_until or delete on public.agent_presence
  for each row execute function public.report_spans_on_presence();

-- Availability: the agent's own change, counted only while connected.
create function public.report_spans_on_availability() returns trigger language plpgsql as $$
declare
  v_until timestamptz;
begin
  -- The presence row is the agent's one lock for spans: a connection and a change of availability
  -- at the same moment are applied one after the other, each seeing the other's result.
  select connected_until into v_until from public.agent_presence where agent_id = new.agent_id for update;
  perform public.report_span_move(new.organisation_id, new.agent_id, v_until,
    case when v_until > coalesce(public.history_clock(), clock_timestamp()) then new.availability end);
  return new;
end
$$;
create trigger agent_routing_report_spans after update of availability on public.agent_routing
  for each row when (old.availability is distinct from new.availability)
  execute function public.report_spans_on_availability();

-- Agents connected when this migration runs begin their span now.
insert into public.report_agent_spans (organisation_id, agent_id, state, started_at)
select ap.organisation_id, ap.agent_id, ar.availability, now()
  from public.agent_presence ap join public.agent_routing ar on ar.agent_id = ap.agent_id
 where ap.connected_until > now();

revoke execute on function public.report_span_move(uuid, uuid, timestamptz, text), public.report_spans_on_presence(),
  public.report_spans_on_availability() from public, anon, authenticated;
