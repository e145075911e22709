-- CRM write-back (docs/crm.md): every conversation logged on the customer's CRM record.
-- * `crm_connections`: one CRM per organisation, its tokens sealed by the server (AES-256-GCM):
--   no client ever reads this table.
-- * `crm_outbox`: what the CRM must hold, one row per CRM record we write, keyed by an idempotency
--   key (a conversation's 24-hour window, or one message): the CRM record is upserted by that key,
--   so a retry after a crash mid-call updates the record it created instead of making another.
-- * `crm_contacts`: which CRM record a customer is (or that none matched), looked up once.
-- Rows are enqueued by a trigger on messages, in the message's own transaction: nothing stored is
-- missed, whichever server instance stored it.

create table public.crm_connections (
  organisation_id uuid primary key references public.organisations (id) on delete cascade,
  vendor text not null check (vendor in ('hubspot')),
  access_token bytea not null,
  refresh_token bytea,
  expires_at timestamptz,
  -- The CRM account, as the CRM names it (HubSpot: the portal id).
  account text,
  -- 'window': one record per conversation per 24 hours, updated as messages arrive; 'message': one per message.
  log_mode text not null default 'window' check (log_mode in ('window', 'message')),
  connected_by uuid references public.agents (id) on delete set null,
  connected_at timestamptz not null default now(),
  last_write_at timestamptz,
  last_error text,
  last_error_at timestamptz
);
alter table public.crm_connections enable row level security;
revoke all on public.crm_connections from anon, authenticated;

create table public.crm_contacts (
  contact_id uuid primary key references public.contacts (id) on delete cascade,
  organisation_id uuid not null references public.organisations (id) on delete cascade,
  -- null: looked up and nothing matched.
  remote_id text,
  checked_at timestamptz not null default now()
);
alter table public.crm_contacts enable row level security;
revoke all on public.crm_contacts from anon, authenticated;

create table public.crm_outbox (
  key text primary key,
  organisation_id uuid not null references public.organisations (id) on delete cascade,
  conversation_id uuid not null references public.conversations (id) on delete cascade,
  window_start timestamptz not null,
  window_end timestamptz not null,
  -- Per-message mode: the one message of this record.
  message_id uuid references public.messages (id) on delete cascade,
  -- The record's content changes (version) with each message; the CRM has written_version.
  changed_at timestamptz not null default clock_timestamp(),
  version bigint not null default 1,
  written_version bigint,
  remote_id text,
  attempts integer not null default 0,
  next_attempt_at timestamptz not null default now(),
  -- A writer holds the row until then; a writer that stopped mid-call lets it go by itself.
  claimed_until timestamptz,
  last_error text
);
create index crm_outbox_due_idx on public.crm_outbox (next_attempt_at) where written_version is distinct from version;
create index crm_outbox_conversation_idx on public.crm_outbox (conversation_id, window_start);
alter table public.crm_outbox enable row level security;
revoke all on public.crm_outbox from anon, authenticated;

-- Windows are a fixed grid from the conversation's start, so two transactions storing messages of
-- one conversation at once agree on the window (and its key) without talking to each other.
create function public.crm_enqueue() returns trigger
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

create trigger messages_crm_enqueue after insert on public.messages
  for each row when (new.direction in ('inbound', 'outbound', 'note'))
  execute function public.crm_enqueue();
