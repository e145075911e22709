-- One *Create contact* per customer at a time, across server instances (issue 30). Every CRM
-- indexes a new record for search seconds later, so a second click during that time would search,
-- find nothing and create a duplicate. The instance creating holds a row here; another waits for
-- the record it decides (crm_contacts) instead of creating one. A row older than a CRM call can
-- take (an instance that stopped mid-create) is taken over.
create table public.crm_creating (
  contact_id uuid primary key references public.contacts (id) on delete cascade,
  organisation_id uuid not null references public.organisations (id) on delete cascade,
  started_at timestamptz not null default now(),
  by_token uuid not null
);
alter table public.crm_creating enable row level security;
revoke all on public.crm_creating from anon, authenticated;
