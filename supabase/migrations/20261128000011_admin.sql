-- Admins do their work in the product (docs/admin.md): roles per organisation, invitations with a
-- one-time expiring token, and an audit log of every admin action. All of it is written by the
-- server only (RLS on, no policy: clients read none of it directly).

alter table public.agents add column role text not null default 'agent' check (role in ('admin', 'agent'));
-- Every organisation that exists already gets its first agent as admin…
update public.agents set role = 'admin'
 where id in (select distinct on (organisation_id) id from public.agents order by organisation_id, created_at, id);
-- …and so does every organisation from now on.
create function public.first_agent_is_admin() returns trigger language plpgsql as $$
begin
  perform pg_advisory_xact_lock(hashtext('switchboard.first-agent'), hashtext(new.organisation_id::text));
  if not exists (select 1 from public.agents where organisation_id = new.organisation_id) then
    new.role := 'admin';
  end if;
  return new;
end
$$;
create trigger agents_first_is_admin before insert on public.agents
  for each row execute function public.first_agent_is_admin();

-- An invitation: the link carries a random token; only its SHA-256 is stored. Used once, until it expires.
create table public.invites (
  id uuid primary key default gen_random_uuid(),
  organisation_id uuid not null references public.organisations (id) on delete cascade,
  email text not null check (email ~ '^[^@\s]+@[^@\s]+$'),
  role text not null check (role in ('admin', 'agent')),
  token_sha256 text not null unique,
  created_by uuid references public.agents (id) on delete set null,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  accepted_at timestamptz,
  accepted_by uuid references auth.users (id) on delete set null
);
create index invites_organisation_idx on public.invites (organisation_id, created_at desc);
alter table public.invites enable row level security;

-- Who did what, when: every admin action, per organisation.
create table public.audit_log (
  id bigint generated always as identity primary key,
  organisation_id uuid not null references public.organisations (id) on delete cascade,
  actor_id uuid references public.agents (id) on delete set null,
  actor_name text not null,
  action text not null,
  detail jsonb not null default '{}',
  at timestamptz not null default now()
);
create index audit_log_organisation_idx on public.audit_log (organisation_id, at desc);
alter table public.audit_log enable row level security;

revoke all on public.invites, public.audit_log from anon, authenticated;
revoke execute on function public.first_agent_is_admin() from public, anon, authenticated;
