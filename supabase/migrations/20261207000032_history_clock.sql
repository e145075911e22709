-- Generated history (the demo organisation's weeks of conversations, tests' scripted days) is
-- written through the same repository functions as live traffic; only its time is set, by the
-- session setting `switchboard.history_clock` (docs/reports.md). The server never sets it, and
-- clients cannot write messages or conversations, so live rows always keep the database's time.
-- Rows one write stores keep their order, a microsecond apart from the set time: the first is at
-- it exactly, whatever time the write took (history is the same on every run). A reply
-- written as history is past: stored as read, never claimed by the outbox sender.

create function public.history_clock() returns timestamptz language sql stable as $$
  select nullif(current_setting('switchboard.history_clock', true), '')::timestamptz
$$;

create function public.messages_history_clock() returns trigger language plpgsql as $$
declare
  v_seq integer := coalesce(nullif(current_setting('switchboard.history_seq', true), '')::integer, 0);
begin
  perform set_config('switchboard.history_seq', (v_seq + 1)::text, true);
  new.created_at := public.history_clock() + v_seq * interval '1 microsecond';
  new.updated_at := new.created_at;
  if new.direction = 'outbound' and new.status = 'accepted' then
    new.status := 'read';
  end if;
  return new;
end
$$;
create trigger messages_history_clock before insert on public.messages
  for each row when (current_setting('switchboard.history_clock', true) <> '')
  execute function public.messages_history_clock();

-- After conversations_status_change (triggers run in name order), which stamps clock_timestamp().
create function public.conversations_history_clock() returns trigger language plpgsql as $$
begin
  new.status_changed_at := public.history_clock();
  return new;
end
$$;
create trigger conversations_zz_history_clock before update on public.conversations
  for each row when (current_setting('switchboard.history_clock', true) <> '' and new.status_changed_at is distinct from old.status_changed_at)
  execute function public.conversations_history_clock();

revoke execute on function public.history_clock(), public.messages_history_clock(), public.conversations_history_clock()
  from public, anon, authenticated;
