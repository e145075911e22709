-- Core tables of Switchboard. Runs unchanged on hosted Supabase (`supabase db push`) and on the
-- local stack. Every row that a client syncs carries `change_xid`: the id of the transaction that
-- last wrote it, which is what the sync cursor compares against (see 20261125000002_sync.sql).

create table public.organisations (
  id uuid primary key default gen_random_uuid(),
  name text not null check (length(name) between 1 and 200),
  created_at timestamptz not null default now()
);

create table public.agents (
  id uuid primary key references auth.users (id) on delete cascade,
  organisation_id uuid not null references public.organisations (id) on delete cascade,
  display_name text not null check (length(display_name) between 1 and 200),
  created_at timestamptz not null default now()
);
create index agents_organisation_idx on public.agents (organisation_id);

-- A WhatsApp sender of the organisation: a Twilio number (`whatsapp:+E164`), a Messaging
-- Service, or both. Inbound webhooks are routed to a channel by `To` or `MessagingServiceSid`.
create table public.channels (
  id uuid primary key default gen_random_uuid(),
  organisation_id uuid not null references public.organisations (id) on delete cascade,
  name text not null check (length(name) between 1 and 200),
  whatsapp_number text unique check (whatsapp_number ~ '^whatsapp:\+[1-9][0-9]{6,14}$'),
  messaging_service_sid text unique check (messaging_service_sid ~ '^MG[0-9a-f]{32}$'),
  created_at timestamptz not null default now(),
  check (whatsapp_number is not null or messaging_service_sid is not null)
);
create index channels_organisation_idx on public.channels (organisation_id);

create table public.contacts (
  id uuid primary key default gen_random_uuid(),
  organisation_id uuid not null references public.organisations (id) on delete cascade,
  phone_e164 text not null check (phone_e164 ~ '^\+[1-9][0-9]{6,14}$'),
  profile_name text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  change_xid xid8 not null default pg_current_xact_id(),
  unique (organisation_id, phone_e164)
);

create table public.conversations (
  id uuid primary key default gen_random_uuid(),
  organisation_id uuid not null references public.organisations (id) on delete cascade,
  channel_id uuid not null references public.channels (id) on delete cascade,
  contact_id uuid not null references public.contacts (id) on delete cascade,
  assignee_id uuid references public.agents (id) on delete set null,
  last_message_at timestamptz,
  last_message_preview text,
  last_inbound_at timestamptz,
  -- How many inbound messages the conversation has had. With read_states.read_inbound_count it
  -- gives an agent's unread count; both only grow, so clients merge copies by taking the max.
  inbound_count bigint not null default 0,
  version bigint not null default 1,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  change_xid xid8 not null default pg_current_xact_id(),
  unique (channel_id, contact_id)
);
create index conversations_recent_idx on public.conversations (organisation_id, last_message_at desc nulls last);

create table public.messages (
  id uuid primary key default gen_random_uuid(),
  organisation_id uuid not null references public.organisations (id) on delete cascade,
  conversation_id uuid not null references public.conversations (id) on delete cascade,
  direction text not null check (direction in ('inbound', 'outbound')),
  body text not null default '',
  media jsonb not null default '[]',
  twilio_sid text unique,
  status text not null check (status in
    ('accepted', 'queued', 'sending', 'sent', 'received', 'delivered', 'read', 'undelivered', 'failed')),
  error_code integer,
  error_message text,
  sent_by uuid references public.agents (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  change_xid xid8 not null default pg_current_xact_id()
);
create index messages_thread_idx on public.messages (conversation_id, created_at desc);

-- Per-agent read state: the agent has read the first read_inbound_count inbound messages
-- (everything up to last_read_at). Unread = conversations.inbound_count - read_inbound_count.
create table public.read_states (
  agent_id uuid not null references public.agents (id) on delete cascade,
  conversation_id uuid not null references public.conversations (id) on delete cascade,
  organisation_id uuid not null references public.organisations (id) on delete cascade,
  last_read_at timestamptz not null,
  read_inbound_count bigint not null default 0,
  updated_at timestamptz not null default now(),
  change_xid xid8 not null default pg_current_xact_id(),
  primary key (agent_id, conversation_id)
);

-- Inbound messages for a number or Messaging Service no channel owns: kept for an admin to see
-- and route, never dropped.
create table public.unrouted_messages (
  id uuid primary key default gen_random_uuid(),
  twilio_sid text not null unique,
  to_address text not null,
  from_address text not null,
  messaging_service_sid text,
  payload jsonb not null,
  received_at timestamptz not null default now(),
  routed_at timestamptz
);
