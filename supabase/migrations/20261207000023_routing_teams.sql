-- Routing (issue 33, docs/routing.md), part 1: teams, their members and policy, the channel each
-- team owns, and what the engine knows of each agent: the availability the agent sets, whether a
-- browser of theirs is connected (presence, shared by every server instance through the database),
-- and how many open conversations they hold (kept incrementally, never counted per decision).

-- Composite keys so a team, a member or a counter can only point at its own organisation's rows.
alter table public.agents add constraint agents_id_org_key unique (id, organisation_id);

-- A team, with its assignment policy: off, round robin or least busy; a capacity per agent (the
-- team's default, overridable per member); and optionally, conversations of an agent away for N
-- minutes go back to the team. Business hours (time zone, weekly hours, holidays) and the
-- auto-reply sent outside them are the team's too (20261207000025_routing_hours_sla.sql).
create table public.teams (
  id uuid primary key default gen_random_uuid(),
  organisation_id uuid not null references public.organisations (id) on delete cascade,
  name text not null check (length(name) between 1 and 100),
  assignment text not null default 'off' check (assignment in ('off', 'round_robin', 'least_busy')),
  default_capacity integer not null default 5 check (default_capacity between 1 and 1000),
  hand_back_after_minutes integer check (hand_back_after_minutes between 1 and 10080),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  change_xid xid8 not null default pg_current_xact_id(),
  unique (id, organisation_id),
  unique (organisation_id, name)
);
create trigger teams_touch before update on public.teams for each row execute function public.touch_change();

-- A member of a team. `capacity` overrides the team's default for this agent.
create table public.team_members (
  team_id uuid not null,
  agent_id uuid not null,
  organisation_id uuid not null references public.organisations (id) on delete cascade,
  capacity integer check (capacity between 1 and 1000),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  change_xid xid8 not null default pg_current_xact_id(),
  primary key (team_id, agent_id),
  foreign key (team_id, organisation_id) references public.teams (id, organisation_id) on delete cascade,
  foreign key (agent_id, organisation_id) references public.agents (id, organisation_id) on delete cascade
);
create index team_members_agent_idx on public.team_members (agent_id);
create trigger team_members_touch before update on public.team_members for each row execute function public.touch_change();

-- The team that answers a channel (WhatsApp number): its conversations are routed by the team.
alter table public.channels add column team_id uuid,
  add constraint channels_team_same_org foreign key (team_id, organisation_id)
    references public.teams (id, organisation_id) on delete set null (team_id);
create index channels_team_idx on public.channels (team_id) where team_id is not null;

-- Per agent: the availability the agent sets, and the open conversations assigned to them
-- (`open_load`, moved by a trigger on every change of a conversation's assignee or status, so
-- every path, manual or automatic, keeps it right; re-derived by routing_rederive_loads()).
-- `last_assigned_at` is round robin's turn: the agent given a conversation longest ago goes next
-- (set by the same trigger, so an assignment writes this row once).
create table public.agent_routing (
  agent_id uuid primary key,
  organisation_id uuid not null references public.organisations (id) on delete cascade,
  availability text not null default 'available' check (availability in ('available', 'busy', 'away')),
  availability_changed_at timestamptz not null default now(),
  open_load integer not null default 0 check (open_load >= 0),
  last_assigned_at timestamptz,
  updated_at timestamptz not null default now(),
  change_xid xid8 not null default pg_current_xact_id(),
  foreign key (agent_id, organisation_id) references public.agents (id, organisation_id) on delete cascade
);
create trigger agent_routing_touch before update on public.agent_routing for each row execute function public.touch_change();

-- Presence, as every instance sees it: an agent is connected while `connected_until` is ahead.
-- A server instance with a connected, non-idle socket of the agent pushes it ahead (now + the
-- presence TTL, ROUTING_PRESENCE_TTL_SECONDS) and `last_seen_at` to now, again and again; when the
-- agent's last such socket, on any instance, goes, it clears `connected_until`; an instance that
-- dies without a word stops pushing, and its agents' time runs out. Kept apart from agent_routing
-- so its refreshes do not go out through Realtime.
create table public.agent_presence (
  agent_id uuid primary key,
  organisation_id uuid not null references public.organisations (id) on delete cascade,
  connected_until timestamptz,
  last_seen_at timestamptz,
  foreign key (agent_id, organisation_id) references public.agents (id, organisation_id) on delete cascade
);

create function public.agent_routing_init() returns trigger language plpgsql as $$
begin
  insert into public.agent_routing (agent_id, organisation_id) values (new.id, new.organisation_id) on conflict do nothing;
  insert into public.agent_presence (agent_id, organisation_id) values (new.id, new.organisation_id) on conflict do nothing;
  return null;
end
$$;
create trigger agents_routing_init after insert on public.agents for each row execute function public.agent_routing_init();
insert into public.agent_routing (agent_id, organisation_id) select id, organisation_id from public.agents on conflict do nothing;
insert into public.agent_presence (agent_id, organisation_id) select id, organisation_id from public.agents on conflict do nothing;

-- Open assigned conversations by agent: what loads are re-derived from (and hand-backs look up).
create index conversations_open_assignee_idx on public.conversations (assignee_id) where status = 'open' and assignee_id is not null;

-- The agents whose counter disagrees with their conversations (one snapshot, no locks), for the
-- sweep to re-derive.
create function public.routing_load_mismatches() returns table (agent_id uuid, open_load integer, counted integer)
language sql stable as $$
  select ar.agent_id, ar.open_load, coalesce(c.n, 0)::integer
    from public.agent_routing ar
    left join (select assignee_id, count(*) as n from public.conversations
                where status = 'open' and assignee_id is not null group by assignee_id) c on c.assignee_id = ar.agent_id
   where ar.open_load <> coalesce(c.n, 0)
$$;

-- One agent's load from the conversations themselves. The counter row is locked before the
-- conversations are counted: a change in flight either committed before (counted) or waits for
-- the lock and moves the counter after. Returns the load before and after.
create function public.routing_rederive_load(p_agent uuid) returns table (was integer, now integer) language plpgsql as $$
declare
  v_was integer;
  v_now integer;
begin
  select ar.open_load into v_was from public.agent_routing ar where ar.agent_id = p_agent for update;
  if not found then
    return;
  end if;
  select count(*) into v_now from public.conversations c where c.assignee_id = p_agent and c.status = 'open';
  if v_now <> v_was then
    update public.agent_routing set open_load = v_now where agent_id = p_agent;
  end if;
  was := v_was;
  now := v_now;
  return next;
end
$$;

revoke all on public.agent_presence from anon, authenticated;
revoke execute on function public.agent_routing_init(), public.routing_load_mismatches(), public.routing_rederive_load(uuid) from public, anon, authenticated;
