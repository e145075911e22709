-- CRM write-back to Pipedrive, Salesforce and Zoho CRM as well as HubSpot (docs/crm.md). Each
-- Pipedrive company, Salesforce org and Zoho account has its own API origin (`api_url`: the company
-- domain, the instance URL, the data centre's API domain), given with its token and checked against the server's configuration when it is
-- connected; it is the only origin of that CRM the server then calls for the organisation.
alter table public.crm_connections drop constraint crm_connections_vendor_check;
alter table public.crm_connections add constraint crm_connections_vendor_check check (vendor in ('hubspot', 'pipedrive', 'salesforce', 'zoho'));
alter table public.crm_connections add column api_url text;

-- Each CRM account's request budget over a short window, shared by every server instance
-- (rate-limiter-flexible's RateLimiterPostgres keeps it here): writes stay under the vendor's
-- burst limit instead of finding it with 429s. Server-only.
create table public.crm_rate_limits (
  key varchar(255) primary key,
  points integer not null default 0,
  expire bigint
);
alter table public.crm_rate_limits enable row level security;
revoke all on public.crm_rate_limits from anon, authenticated;

-- A record newly owed to a CRM wakes the writers at once (they LISTEN on crm_outbox), instead of
-- waiting for their next look; once per statement, whatever it stored.
create function public.crm_outbox_notify() returns trigger
language plpgsql as $$
begin
  perform pg_notify('crm_outbox', '');
  return null;
end
$$;
revoke all on function public.crm_outbox_notify() from public, anon, authenticated;
create trigger crm_outbox_notify after insert or update of version on public.crm_outbox
  for each statement execute function public.crm_outbox_notify();
