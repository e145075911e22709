-- CRM write-back, second part (docs/crm.md):
-- * Agents' private notes become the CRM's own notes: one outbox row per note (`note/<message id>`,
--   kind 'note'), no longer lines of the conversation's record.
-- * A customer no record matched can be linked to a record, or a contact created for them, by an
--   agent: `crm_contacts.source` says how the record was found; a record an agent chose is kept
--   (the hourly phone lookup only revisits what the phone search decided).
-- * A connection can be paused as a whole (`paused_until`): the CRM's daily budget is spent, or a
--   rate limit said to wait. Every instance's writer skips its rows until then.

alter table public.crm_outbox add column kind text not null default 'conversation' check (kind in ('conversation', 'note'));

alter table public.crm_contacts add column source text not null default 'phone' check (source in ('phone', 'linked', 'created'));
alter table public.crm_contacts add column decided_by uuid references public.agents (id) on delete set null;

alter table public.crm_connections add column paused_until timestamptz;
alter table public.crm_connections add column paused_reason text;

create or replace function public.crm_enqueue() returns trigger
language plpgsql security definer set search_path = public as $$
declare
  v_mode text;
  v_started timestamptz;
  v_index bigint;
  v_start timestamptz;
begin
  select log_mode into v_mode from public.crm_connections where organisation_id = new.organisation_id;
  if v_mode is null then
    return null;
  end if;
  if new.direction = 'note' then
    insert into public.crm_outbox (key, kind, organisation_id, conversation_id, window_start, window_end, message_id)
    values ('note/' || new.id, 'note', new.organisation_id, new.conversation_id, new.created_at, new.created_at, new.id)
    on conflict (key) do nothing;
    return null;
  end if;
  if v_mode = 'message' then
    insert into public.crm_outbox (key, organisation_id, conversation_id, window_start, window_end, message_id)
    values ('message/' || new.id, new.organisation_id, new.conversation_id, new.created_at, new.created_at, new.id)
    on conflict (key) do nothing;
    return null;
  end if;
  select created_at into v_started from public.conversations where id = new.conversation_id;
  v_index := greatest(0, floor(extract(epoch from (new.created_at - v_started)) / 86400))::bigint;
  v_start := v_started + v_index * interval '24 hours';
  insert into public.crm_outbox (key, organisation_id, conversation_id, window_start, window_end)
  values (new.conversation_id || '/' || v_index, new.organisation_id, new.conversation_id, v_start, v_start + interval '24 hours')
  on conflict (key) do update
    -- Due again now if the CRM was up to date; a row waiting out a rate limit keeps waiting.
    set changed_at = clock_timestamp(), version = public.crm_outbox.version + 1,
        next_attempt_at = case when public.crm_outbox.written_version is not distinct from public.crm_outbox.version then now()
                               else public.crm_outbox.next_attempt_at end;
  return null;
end
$$;
revoke all on function public.crm_enqueue() from public, anon, authenticated;
