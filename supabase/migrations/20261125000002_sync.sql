-- The change cursor. Each synced row records the transaction that last wrote it (`change_xid`).
-- A cursor is a PostgreSQL snapshot (`pg_current_snapshot()`), taken in the same transaction that
-- reads the rows. The next sync returns exactly the rows whose writer was not visible in that
-- snapshot. A transaction that commits late (out of order) was "in progress" in the earlier
-- snapshot, so its rows are returned by the next sync: nothing is skipped, unlike a cursor on a
-- sequence or a timestamp.

create function public.touch_change() returns trigger language plpgsql as $$
begin
  new.change_xid := pg_current_xact_id();
  new.updated_at := now();
  return new;
end
$$;

create function public.touch_conversation() returns trigger language plpgsql as $$
begin
  new.change_xid := pg_current_xact_id();
  new.updated_at := now();
  new.version := old.version + 1;
  return new;
end
$$;

create trigger contacts_touch before update on public.contacts
  for each row execute function public.touch_change();
create trigger messages_touch before update on public.messages
  for each row execute function public.touch_change();
create trigger read_states_touch before update on public.read_states
  for each row execute function public.touch_change();
create trigger conversations_touch before update on public.conversations
  for each row execute function public.touch_conversation();

-- True when the row's last writer committed after `since` was taken (or was still running then).
create function public.changed_since(xid xid8, since pg_snapshot) returns boolean
language sql immutable parallel safe as $$
  select since is null or (xid >= pg_snapshot_xmin(since) and not pg_visible_in_snapshot(xid, since))
$$;

create index messages_change_idx on public.messages (organisation_id, change_xid);
create index conversations_change_idx on public.conversations (organisation_id, change_xid);
create index read_states_change_idx on public.read_states (agent_id, change_xid);
create index contacts_change_idx on public.contacts (organisation_id, change_xid);
