-- Connecting a CRM by OAuth (docs/security.md, "CRM OAuth"; issue 29): each attempt an admin
-- starts, server-side, so that its steps are single use and bound to that admin's browser.
-- * `start_sha256`: the link the admin view opens (our server's start route), used once, soon.
-- * `browser_sha256`: the secret of the cookie the start route gave that browser.
-- * `state_sha256`: the OAuth `state` the vendor carries back to the callback, used once.
-- Only SHA-256 digests of these random values are stored. The attempt goes with its admin (a
-- removed agent's attempts cannot complete); the callback checks the admin is still one.
-- Written by the server only (RLS on, no policy, no grants to clients).

create table public.crm_oauth_attempts (
  id uuid primary key default gen_random_uuid(),
  organisation_id uuid not null references public.organisations (id) on delete cascade,
  agent_id uuid not null references public.agents (id) on delete cascade,
  vendor text not null check (vendor in ('hubspot', 'pipedrive', 'salesforce', 'zoho')),
  -- Where the account is, when the vendor asks (Zoho's data centre).
  region text,
  start_sha256 text not null unique,
  browser_sha256 text,
  state_sha256 text unique,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  started_at timestamptz,
  used_at timestamptz
);
create index crm_oauth_attempts_agent_idx on public.crm_oauth_attempts (agent_id);
create index crm_oauth_attempts_expires_idx on public.crm_oauth_attempts (expires_at);
alter table public.crm_oauth_attempts enable row level security;
revoke all on public.crm_oauth_attempts from anon, authenticated;
