-- Conversations that end (docs/conversation-status.md): every conversation is open, snoozed
-- (until a time) or resolved; each change of status or assignee leaves an activity line in the
-- thread; an agent can mark a conversation unread again.
--
-- Who made a change: the server sets `switchboard.actor` (the agent's id) for the transaction
-- that writes it; changes made by nobody (the customer wrote, a snooze ended) leave it empty.

alter table public.conversations
  add column status text not null default 'open' check (status in ('open', 'snoozed', 'resolved')),
  add column snoozed_until timestamptz,
  -- Why the conversation has its status now: an agent's action, a reply (reopens a resolved one),
  -- the customer writing again, or the end of a snooze.
  add column status_reason text check (status_reason in ('agent', 'replied', 'customer_wrote', 'snooze_ended')),
  add column status_changed_at timestamptz,
  add column status_changed_by uuid references public.agents (id) on delete set null,
  add constraint conversations_snooze_check check ((status = 'snoozed') = (snoozed_until is not null));
-- The snooze sweeper's one query: snoozes due now.
create index conversations_snoozed_idx on public.conversations (snoozed_until) where status = 'snoozed';

create function public.switchboard_actor() returns uuid language sql stable as $$
  select nullif(current_setting('switchboard.actor', true), '')::uuid
$$;

-- A customer message reopens a snoozed or resolved conversation, whichever path stored it; a
-- status change records when and by whom, and only a snooze keeps a wake-up time.
create function public.conversation_status_change() returns trigger language plpgsql as $$
begin
  if new.inbound_count > old.inbound_count and old.status <> 'open' then
    new.status := 'open';
    new.status_reason := 'customer_wrote';
  end if;
  if new.status is distinct from old.status or new.snoozed_until is distinct from old.snoozed_until then
    new.status_changed_at := clock_timestamp();
    new.status_changed_by := case when new.status_reason in ('customer_wrote', 'snooze_ended') then null else public.switchboard_actor() end;
  end if;
  if new.status <> 'snoozed' then
    new.snoozed_until := null;
  end if;
  return new;
end
$$;
create trigger conversations_status_change before update on public.conversations
  for each row
  when (new.status is distinct from old.status or new.snoozed_until is distinct from old.snoozed_until
        or (new.inbound_count > old.inbound_count and old.status <> 'open'))
  execute function public.conversation_status_change();

-- Activity lines: the thread's history of what agents (and the customer, and time) did to the
-- conversation. Stored as messages so they reach agents by every path a message does (Socket.IO,
-- Realtime, sync, thread pages); never sent, never unread, never the list's preview.
alter table public.messages drop constraint messages_direction_check;
alter table public.messages add constraint messages_direction_check check (direction in ('inbound', 'outbound', 'note', 'activity'));
alter table public.messages add column activity jsonb
  check ((direction = 'activity') = (activity is not null) and (activity is null or activity ->> 'kind' in ('status', 'assigned')));

create function public.conversation_activity() returns trigger language plpgsql as $$
begin
  if new.status is distinct from old.status or new.snoozed_until is distinct from old.snoozed_until then
    insert into public.messages (organisation_id, conversation_id, direction, status, sent_by, activity, created_at)
    values (new.organisation_id, new.id, 'activity', 'sent', new.status_changed_by,
            jsonb_build_object('kind', 'status', 'status', new.status, 'reason', new.status_reason, 'until', new.snoozed_until),
            clock_timestamp());
  end if;
  if new.assignee_id is distinct from old.assignee_id then
    insert into public.messages (organisation_id, conversation_id, direction, status, sent_by, activity, created_at)
    values (new.organisation_id, new.id, 'activity', 'sent', public.switchboard_actor(),
            jsonb_build_object('kind', 'assigned', 'to', new.assignee_id, 'from', old.assignee_id),
            clock_timestamp());
  end if;
  return null;
end
$$;
create trigger conversations_activity after update on public.conversations
  for each row
  when (new.status is distinct from old.status or new.snoozed_until is distinct from old.snoozed_until
        or new.assignee_id is distinct from old.assignee_id)
  execute function public.conversation_activity();

-- Read state can go back (mark unread), so copies of it are ordered by a version, not by the
-- counter: the higher version wins.
alter table public.read_states add column version bigint not null default 1;
-- The same touch as a conversation's: the writer's transaction, the time, the next version.
drop trigger read_states_touch on public.read_states;
create trigger read_states_touch before update on public.read_states
  for each row execute function public.touch_conversation();

revoke execute on function public.switchboard_actor(), public.conversation_status_change(), public.conversation_activity()
  from public, anon, authenticated;
