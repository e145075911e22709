-- Organisation-wide conversation counts (issue 34, docs/delivery-scope.md "Counts"): how many
-- conversations each channel has per status, assigned or not. An agent's client receives only its
-- delivery scope, so the side panel's *All* count comes from these (`GET /api/counts` and the
-- Socket.IO event `counts:update`), not from the conversations it happens to hold.
--
-- Kept incrementally by triggers on `conversations`, in the writer's transaction, so every path
-- (a customer's message, an agent's action, routing, a snooze ending) keeps them right. `writer`
-- is the PostgreSQL backend that counted (pg_backend_pid()), as in report_volume: each database
-- connection adds to rows of its own. One shared row per key would be hot (every new conversation
-- of a channel adds to the same row) and would add a new way for two writers to wait on each
-- other: a resolve takes (open, resolved) while a reopening takes (resolved, open), a deadlock.
-- Readers sum over writers; `conversation_counts_fold` moves other writers' rows into writer 0 so
-- the table stays small. Server-only: RLS on, no policy, nothing granted to clients, not in the
-- Realtime publication.

create table public.conversation_counts (
  organisation_id uuid not null references public.organisations (id) on delete cascade,
  channel_id uuid not null,
  status text not null check (status in ('open', 'snoozed', 'resolved')),
  assigned boolean not null,
  writer integer not null default 0,
  -- One writer's share: negative when it moved away conversations another writer counted.
  count bigint not null default 0,
  primary key (organisation_id, channel_id, status, assigned, writer),
  foreign key (channel_id, organisation_id) references public.channels (id, organisation_id) on delete cascade
);
alter table public.conversation_counts enable row level security;
revoke all on public.conversation_counts from anon, authenticated;

-- Moves one conversation out of its old key and into its new one (either side absent on insert
-- and delete), on this backend's rows.
create function public.conversation_counts_track() returns trigger language plpgsql as $$
declare
  v_writer integer := pg_backend_pid();
begin
  if tg_op = 'UPDATE' and old.organisation_id = new.organisation_id and old.channel_id = new.channel_id
     and old.status = new.status and (old.assignee_id is null) = (new.assignee_id is null) then
    return null;
  end if;
  -- A conversation deleted with its channel or organisation: their counts go with them (cascade);
  -- a row written for them now would point at a channel that is gone.
  if tg_op = 'DELETE' and not exists (select 1 from public.channels ch join public.organisations o on o.id = ch.organisation_id
                                       where ch.id = old.channel_id and ch.organisation_id = old.organisation_id) then
    return null;
  end if;
  if tg_op <> 'INSERT' then
    insert into public.conversation_counts as cc (organisation_id, channel_id, status, assigned, writer, count)
    values (old.organisation_id, old.channel_id, old.status, old.assignee_id is not null, v_writer, -1)
    on conflict (organisation_id, channel_id, status, assigned, writer) do update set count = cc.count - 1;
  end if;
  if tg_op <> 'DELETE' then
    insert into public.conversation_counts as cc (organisation_id, channel_id, status, assigned, writer, count)
    values (new.organisation_id, new.channel_id, new.status, new.assignee_id is not null, v_writer, 1)
    on conflict (organisation_id, channel_id, status, assigned, writer) do update set count = cc.count + 1;
  end if;
  return null;
end
$$;
-- AFTER triggers: they see the row as the BEFORE triggers left it (a customer's message reopens a
-- conversation, routing releases its assignee). No column list on the update trigger: a column
-- list only sees columns the UPDATE sets, not those a BEFORE trigger changes.
create trigger conversations_counts after insert or delete on public.conversations
  for each row execute function public.conversation_counts_track();
create trigger conversations_counts_update after update on public.conversations
  for each row
  when (old.status is distinct from new.status or old.channel_id is distinct from new.channel_id
        or (old.assignee_id is null) <> (new.assignee_id is null) or old.organisation_id is distinct from new.organisation_id)
  execute function public.conversation_counts_track();

-- Existing conversations, counted once as writer 0. In the migration's transaction, after the
-- triggers: creating them locked `conversations` against writes until commit, so no change falls
-- between the count and the triggers.
insert into public.conversation_counts (organisation_id, channel_id, status, assigned, writer, count)
select organisation_id, channel_id, status, assignee_id is not null, 0, count(*)
  from public.conversations
 group by organisation_id, channel_id, status, assignee_id is not null;

-- Folds the organisation's rows of other writers into writer 0 and returns how many it folded.
-- Rows a transaction in flight holds are left for the next fold (skip locked): folding never
-- waits for a writer, and a writer never waits for it (writers do not touch writer 0). Two folds
-- of one organisation take writer 0's rows in key order, so they only queue.
create function public.conversation_counts_fold(p_org uuid) returns integer language plpgsql as $$
declare
  v_folded integer;
begin
  with taken as (
    delete from public.conversation_counts cc
     where cc.ctid = any (array(select c.ctid from public.conversation_counts c
                                 where c.organisation_id = p_org and c.writer <> 0 for update skip locked))
    returning cc.organisation_id, cc.channel_id, cc.status, cc.assigned, cc.count
  ), summed as (
    insert into public.conversation_counts as cc (organisation_id, channel_id, status, assigned, writer, count)
    select organisation_id, channel_id, status, assigned, 0, sum(count) from taken
     group by organisation_id, channel_id, status, assigned
     order by channel_id, status, assigned
    on conflict (organisation_id, channel_id, status, assigned, writer) do update set count = cc.count + excluded.count
  )
  -- (A data-modifying WITH runs whether or not it is read.)
  select count(*) into v_folded from taken;
  return v_folded;
end
$$;

-- The organisation's counts: per channel, status and assigned, summed over writers (keys with
-- none left out). Folds first when other writers' rows have piled up (connections come and go,
-- each with its own rows), so a read stays a short index range.
create function public.conversation_counts_of(p_org uuid)
returns table (channel_id uuid, status text, assigned boolean, count bigint) language plpgsql as $$
begin
  if (select count(*) from public.conversation_counts c where c.organisation_id = p_org and c.writer <> 0) > 64 then
    perform public.conversation_counts_fold(p_org);
  end if;
  return query
    select c.channel_id, c.status, c.assigned, sum(c.count)::bigint
      from public.conversation_counts c
     where c.organisation_id = p_org
     group by c.channel_id, c.status, c.assigned
    having sum(c.count) <> 0
     order by c.channel_id, c.status, c.assigned;
end
$$;

revoke execute on function public.conversation_counts_track(), public.conversation_counts_fold(uuid), public.conversation_counts_of(uuid)
  from public, anon, authenticated;
