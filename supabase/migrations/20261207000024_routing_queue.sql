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
    update public.agent_routing set open_load = open_load + 1 where agent_id = new.assignee_id;
  end if;
  return null;
end
$$;
create trigger conversations_routing_load after insert or delete or update of assignee_id, status on public.conversations
  for each row execute function public.routing_track_load();

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
create trigger conversations_routing_queue after insert or update of assignee_id, status, inbound_count on public.conversations
  for each row execute function public.routing_enqueue();

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

revoke all on public.routing_queue from anon, authenticated;
revoke execute on function public.routing_track_load(), public.routing_release_reopened(), public.routing_enqueue(), public.conversation_activity()
  from public, anon, authenticated;
