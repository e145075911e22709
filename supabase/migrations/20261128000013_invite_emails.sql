-- Invitations sent by Supabase Auth's own e-mail (issue 21): the invitee follows the e-mailed link,
-- Supabase Auth verifies it and signs them in, and the invitation page lets them choose a name and
-- a password. The invitation row is the same (one use, expiry, revocable); `delivery` says how it
-- went out. An e-mailed invitation is used with the invitee's Supabase session, found by its email.
alter table public.invites add column delivery text not null default 'link' check (delivery in ('link', 'email'));
create index invites_open_email_idx on public.invites (lower(email)) where accepted_at is null;
