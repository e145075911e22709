-- Trust in the surfaces added since the tenant-trust work (issue 29): invitations, uploads and the
-- realtime publication. Server-only tables as before: RLS on, nothing granted to anon or
-- authenticated.

-- Invitations are used up on their first use, whether it ends in a new agent or in a refusal
-- (`refusal` says why: a wrong password for an existing account, an account already in a
-- workspace, a creator no longer admin). `accepted_at` stays the mark of an agent made from it.
alter table public.invites add column used_at timestamptz, add column refusal text;
update public.invites set used_at = accepted_at where accepted_at is not null;
drop index if exists public.invites_open_email_idx;
create index invites_open_idx on public.invites (created_by) where used_at is null;

-- Budgets that every server instance shares (rate-limiter-flexible's RateLimiterPostgres keeps
-- them here): invitations per admin, per organisation and per address.
create table public.rate_limits (
  key varchar(255) primary key,
  points integer not null default 0,
  expire bigint
);
alter table public.rate_limits enable row level security;
revoke all on public.rate_limits from anon, authenticated;

-- An upload ticket is good for one upload: its id is spent here when the upload starts (kept
-- until the ticket would have expired anyway).
create table public.upload_tickets_spent (
  id uuid primary key,
  expires_at timestamptz not null
);
alter table public.upload_tickets_spent enable row level security;
revoke all on public.upload_tickets_spent from anon, authenticated;

-- An upload is kept once a message sends it; one never sent is deleted (row and file) after a
-- while by the server's upload sweeper.
alter table public.uploads add column sent_at timestamptz;
update public.uploads u set sent_at = u.created_at
 where exists (select 1 from public.messages m
                where m.organisation_id = u.organisation_id
                  and m.media @> jsonb_build_array(jsonb_build_object('uploadId', u.id::text)));
create index uploads_unsent_idx on public.uploads (created_at) where sent_at is null;

-- Realtime: a DELETE event carries the deleted row's primary key to every subscriber of the
-- table, whatever its RLS (hosted Supabase cannot filter deletes), so a deleted read state would
-- tell anyone holding the anon key which agent had read which conversation. The extension uses
-- no delete event: the publication publishes inserts and updates only (the dashboard's
-- Database > Publications switches say the same).
alter publication supabase_realtime set (publish = 'insert, update');
