-- Delivery scope (issue 34, docs/delivery-scope.md): each conversation and message carries the
-- key of the scope it belongs to, so an agent's client subscribes to its own scope only (Realtime
-- `postgres_changes` filters `scope_key=in.(…)`, Socket.IO rooms `scope:<key>`):
--   `agent:<assignee>`        assigned;
--   `queue:<team>`            unassigned, in a channel a team answers;
--   `queue:org:<organisation>` unassigned, in a channel no team answers.
-- `left_scope_key` is the scope a conversation's change took it out of (null on every other
-- change): the one update that tells the old scope's clients it left them. A message's key is its
-- conversation's at each write of the message (insert, status), read then: moving a conversation
-- rewrites none of its messages.
-- Kept by BEFORE triggers named to run after every other trigger that may change the assignee.

alter table public.conversations add column scope_key text, add column left_scope_key text;
alter table public.messages add column scope_key text;

-- The scope key of a conversation with this assignee, channel and organisation.
create function public.conversation_scope_key(p_assignee uuid, p_channel uuid, p_organisation uuid) returns text
language sql stable as $$
  select case
    when p_assignee is not null then 'agent:' || p_assignee::text
    else coalesce('queue:' || (select ch.team_id::text from public.channels ch where ch.id = p_channel), 'queue:org:' || p_organisation::text)
  end
$$;

create function public.conversations_scope() returns trigger
language plpgsql as $$
begin
  -- An update that moves neither the assignee nor the channel, and does not set the key itself,
  -- keeps the key without a lookup.
  if tg_op = 'UPDATE' and new.assignee_id is not distinct from old.assignee_id and new.channel_id = old.channel_id
     and new.scope_key is not distinct from old.scope_key and old.scope_key is not null then
    new.left_scope_key := null;
    return new;
  end if;
  new.scope_key := public.conversation_scope_key(new.assignee_id, new.channel_id, new.organisation_id);
  new.left_scope_key := case when tg_op = 'UPDATE' and new.scope_key is distinct from old.scope_key then old.scope_key end;
  return new;
end
$$;
create trigger conversations_zz_scope before insert or update on public.conversations
  for each row execute function public.conversations_scope();

create function public.messages_scope() returns trigger
language plpgsql as $$
begin
  new.scope_key := (select c.scope_key from public.conversations c where c.id = new.conversation_id);
  return new;
end
$$;
create trigger messages_zz_scope before insert or update on public.messages
  for each row execute function public.messages_scope();

-- A channel given to another team (or to none, or its team deleted): its unassigned conversations
-- move to the new queue (each update tells the old queue's clients, through `left_scope_key`).
create function public.channels_rescope() returns trigger
language plpgsql as $$
begin
  update public.conversations c
     set scope_key = public.conversation_scope_key(c.assignee_id, c.channel_id, c.organisation_id)
   where c.channel_id = new.id and c.assignee_id is null;
  return null;
end
$$;
create trigger channels_rescope after update of team_id on public.channels
  for each row when (old.team_id is distinct from new.team_id) execute function public.channels_rescope();

-- Existing rows: conversations first (their trigger computes the key), then their messages.
update public.conversations set scope_key = public.conversation_scope_key(assignee_id, channel_id, organisation_id);
alter table public.conversations alter column scope_key set not null;
update public.messages m set scope_key = c.scope_key from public.conversations c where c.id = m.conversation_id;
