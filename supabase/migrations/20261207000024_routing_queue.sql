-- Routing, part 2: the team queue and the triggers that keep loads and the queue right, whatever
-- path changes a conversation (a customer's message, an agent's action, a snooze ending).

-- Conversations waiting for an agent of their team, oldest first. `previous_assignee_id`: who had
-- the conversation before the customer reopened it (they get it back first if they can take it).
create table public.routing_queue (
  conversation_id uuid primary key,
  organisation_id uuid not null references public.organisations (id) on delete cascade,
  team_id uuid not null,
  waiting_since timestamptz not null,
  previous_assignee_id uuid references public.agents (id) on delete set null,
  foreign key (conversation_id, organisation_id) references public.conversations (id, organisation_id) on delete cascade,
  foreign key (team_id, organisation_id) references public.teams (id, organisation_id) on delete cascade
);
create index routing_queue_team_idx on public.routing_queue (team_id, waiting_since, conversation_id);

-- The open load of the old and the new assignee. A load that falls tells every server instance
-- (NOTIFY switchboard_routing) that this agent may take the oldest waiting conversation.
create function public.routing_track_load() returns trigger language plpgsql as $$
declare
  was_counted boolean := tg_op <> 'INSERT' and old.assignee_id is not null and old.status = 'open';
  is_counted boolean := tg_op <> 'DELETE' and new.assignee_id is not null and new.status = 'open';
begin
  if was_counted and is_counted and old.assignee_id = new.assignee_id then
    return null;
  end if;
  if was_counted then
    update public.agent_routing set open_load = greatest(open_load - 1, 0) where agent_id = old.assignee_id;
    perform pg_notify('switchboard_routing', 'agent:' || old.assignee_id);
  end if;
  if is_counted then
    update public.agent_routing set open_load = open_load + 1, last_assigned_at = clock_timestamp() where agent_id = new.assignee_id;
  end if;
  return null;
end
$$;
-- No column list on the update triggers: a column list only sees columns the UPDATE sets, and the
-- customer reopening a conversation changes its status in a BEFORE trigger (conversation_status_change).
create trigger conversations_routing_load after insert or delete on public.conversations
  for each row execute function public.routing_track_load();
create trigger conversations_routing_load_update after update on public.conversations
  for each row when (old.assignee_id is distinct from new.assignee_id or old.status is distinct from new.status)
  execute function public.routing_track_load();

-- A resolved conversation the customer reopens, in a team that routes: it goes back through the
-- queue (its previous assignee first), so no agent is taken above capacity by a reopening.
create function public.routing_release_reopened() returns trigger language plpgsql as $$
begin
  if exists (select 1 from public.channels ch join public.teams t on t.id = ch.team_id
              where ch.id = new.channel_id and t.assignment <> 'off') then
    new.assignee_id := null;
  end if;
  return new;
end
$$;
-- Named to fire after conversations_status_change (BEFORE triggers run in name order).
create trigger conversations_status_routing before update on public.conversations
  for each row
  when (old.status = 'resolved' and new.status = 'open' and new.status_reason = 'customer_wrote' and old.assignee_id is not null)
  execute function public.routing_release_reopened();

-- A conversation that comes to need an agent (open, unassigned, the customer has written) joins
-- its team's queue; one that no longer does leaves it.
create function public.routing_enqueue() returns trigger language plpgsql as $$
declare
  v_team uuid;
begin
  if new.status = 'open' and new.assignee_id is null and new.inbound_count > 0 then
    select t.id into v_team from public.channels ch join public.teams t on t.id = ch.team_id
     where ch.id = new.channel_id and t.assignment <> 'off';
    if v_team is not null then
      insert into public.routing_queue (conversation_id, organisation_id, team_id, waiting_since, previous_assignee_id)
      values (new.id, new.organisation_id, v_team, coalesce(new.last_inbound_at, clock_timestamp()),
              case when tg_op = 'UPDATE' and old.status = 'resolved' and new.status_reason = 'customer_wrote' then old.assignee_id end)
      on conflict (conversation_id) do nothing;
      if found then
        perform pg_notify('switchboard_routing', 'team:' || v_team);
      end if;
    end if;
  elsif tg_op = 'UPDATE' and old.status = 'open' and old.assignee_id is null then
    -- Only a conversation that needed an agent can be queued.
    delete from public.routing_queue where conversation_id = new.id;
  end if;
  return null;
end
$$;
-- WHEN clauses keep the function out of the way of what cannot concern the queue (most updates:
-- a message to a conversation that has its agent).
create trigger conversations_routing_queue after insert on public.conversations
  for each row when (new.status = 'open' and new.assignee_id is null and new.inbound_count > 0)
  execute function public.routing_enqueue();
create trigger conversations_routing_requeue after update on public.conversations
  for each row when ((new.status = 'open' and new.assignee_id is null and new.inbound_count > 0) or (old.status = 'open' and old.assignee_id is null))
  execute function public.routing_enqueue();

-- The activity line of an automatic decision says which rule made it (`rule`: round_robin,
-- least_busy, previous_assignee, hand_back), set by the routing engine for its transaction
-- (`switchboard.routing_rule`); the assignee a reopening releases leaves no line (the decision
-- that follows does).
create or replace function public.conversation_activity() returns trigger language plpgsql as $$
declare
  v_rule text := nullif(current_setting('switchboard.routing_rule', true), '');
begin
  if new.status is distinct from old.status or new.snoozed_until is distinct from old.snoozed_until then
    insert into public.messages (organisation_id, conversation_id, direction, status, sent_by, activity, created_at)
    values (new.organisation_id, new.id, 'activity', 'sent', new.status_changed_by,
            jsonb_build_object('kind', 'status', 'status', new.status, 'reason', new.status_reason, 'until', new.snoozed_until),
            clock_timestamp());
  end if;
  if new.assignee_id is distinct from old.assignee_id
     and not (new.assignee_id is null and old.status = 'resolved' and new.status = 'open' and new.status_reason = 'customer_wrote') then
    insert into public.messages (organisation_id, conversation_id, direction, status, sent_by, activity, created_at)
    values (new.organisation_id, new.id, 'activity', 'sent', public.switchboard_actor(),
            jsonb_build_object('kind', 'assigned', 'to', new.assignee_id, 'from', old.assignee_id)
              || case when v_rule is not null then jsonb_build_object('rule', v_rule) else '{}'::jsonb end,
            clock_timestamp());
  end if;
  return null;
end
$$;

-- The member who may take a conversation of the team now, their counter row locked until the
-- transaction ends (null: nobody has room): available, connected,
-- under capacity; the previous assignee first, then round robin's turn or the least busy. Rows
-- someone else holds are passed over (SKIP LOCKED). Hash joins only: a team's members are many
-- (1,000 agents in one team is the benchmark), and right after a bulk import the planner's
-- statistics still say "a few rows", for which it would pick a nested loop over every pair.
create function public.routing_pick_agent(p_team uuid, p_assignment text, p_default_capacity integer, p_previous uuid)
returns uuid language sql set enable_nestloop = off as $$
  select m.agent_id
    from public.team_members m
    join public.agent_routing ar on ar.agent_id = m.agent_id
    join public.agent_presence ap on ap.agent_id = m.agent_id
   where m.team_id = p_team
     and ar.availability = 'available'
     and ap.connected_until > clock_timestamp()
     and ar.open_load < coalesce(m.capacity, p_default_capacity)
   order by (m.agent_id = p_previous) desc nulls last,
            case when p_assignment = 'least_busy' then ar.open_load else 0 end,
            ar.last_assigned_at asc nulls first, m.agent_id
   limit 1
   for update of ar skip locked
$$;

-- One pass over a team's queue (server/routing/engine.ts calls it; docs/routing.md says why it is
-- exactly once): under the team's advisory lock, the oldest waiting conversation, locked and
-- re-checked, goes to the first member who is available, connected and under capacity, their counter row locked: the previous assignee first, then round robin's
-- turn or the least busy. Rows someone else holds are skipped (SKIP LOCKED), never waited for. Ends
-- when the queue is empty, nobody has room, or `p_max` decisions are made. In the database, so a
-- pass is one round trip whatever its length.
create function public.routing_route_team(p_team uuid, p_max integer)
returns table (conversation_id uuid, agent_id uuid, rule text) language plpgsql as $$
declare
  v_team record;
  v_wait record;
  v_ok boolean;
  v_agent uuid;
  v_busy uuid[] := '{}';
  n integer := 0;
begin
  perform pg_advisory_xact_lock(1527382067, hashtext(p_team::text));
  select t.id, t.assignment, t.default_capacity into v_team from public.teams t where t.id = p_team;
  if not found or v_team.assignment = 'off' then
    return;
  end if;
  while n < p_max loop
    select q.conversation_id, q.previous_assignee_id into v_wait from public.routing_queue q
     where q.team_id = p_team and q.conversation_id <> all(v_busy)
     order by q.waiting_since, q.conversation_id limit 1;
    exit when not found;
    select (c.status = 'open' and c.assignee_id is null) into v_ok
      from public.conversations c where c.id = v_wait.conversation_id for update skip locked;
    if not found then
      v_busy := v_busy || v_wait.conversation_id; -- being changed right now: the next pass looks again
      continue;
    end if;
    if not v_ok then
      delete from public.routing_queue q where q.conversation_id = v_wait.conversation_id;
      continue;
    end if;
    v_agent := public.routing_pick_agent(p_team, v_team.assignment, v_team.default_capacity, v_wait.previous_assignee_id);
    exit when v_agent is null; -- nobody has room: the oldest waits, and so do the others
    rule := case when v_agent = v_wait.previous_assignee_id then 'previous_assignee' else v_team.assignment end;
    perform set_config('switchboard.routing_rule', rule, true);
    -- The queue row goes with the assignment (routing_enqueue), the load moves (routing_track_load).
    update public.conversations set assignee_id = v_agent where id = v_wait.conversation_id;
    conversation_id := v_wait.conversation_id;
    agent_id := v_agent;
    n := n + 1;
    return next;
  end loop;
  perform set_config('switchboard.routing_rule', '', true);
end
$$;

revoke all on public.routing_queue from anon, authenticated;
revoke execute on function public.routing_route_team(uuid, integer), public.routing_pick_agent(uuid, text, integer, uuid)
  from public, anon, authenticated;
revoke execute on function public.routing_track_load(), public.routing_release_reopened(), public.routing_enqueue(), public.conversation_activity()
  from public, anon, authenticated;
