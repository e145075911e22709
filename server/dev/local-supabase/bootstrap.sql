-- What a hosted Supabase project already has before any migration runs, recreated for the
-- local stack: the API roles, the auth schema with its helper functions, and the realtime
-- publication. Idempotent: it runs at every start of the embedded database.
-- (Hosted Supabase: never run this file there; its platform provides all of it.)

do $$
begin
  if not exists (select 1 from pg_roles where rolname = 'anon') then
    create role anon nologin noinherit;
  end if;
  if not exists (select 1 from pg_roles where rolname = 'authenticated') then
    create role authenticated nologin noinherit;
  end if;
  if not exists (select 1 from pg_roles where rolname = 'service_role') then
    create role service_role nologin noinherit bypassrls;
  end if;
end
$$;

create schema if not exists auth;
create schema if not exists extensions;
grant usage on schema public to anon, authenticated, service_role;
grant usage on schema auth to anon, authenticated, service_role;
alter default privileges in schema public grant all on tables to anon, authenticated, service_role;
alter default privileges in schema public grant all on functions to anon, authenticated, service_role;
alter default privileges in schema public grant all on sequences to anon, authenticated, service_role;

create table if not exists auth.users (
  instance_id uuid,
  id uuid primary key default gen_random_uuid(),
  aud text not null default 'authenticated',
  role text not null default 'authenticated',
  email text unique,
  encrypted_password text,
  email_confirmed_at timestamptz,
  last_sign_in_at timestamptz,
  raw_app_meta_data jsonb not null default '{"provider":"email","providers":["email"]}',
  raw_user_meta_data jsonb not null default '{}',
  banned_until timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
-- Invitations (GoTrue's `/invite` and `/verify`): a link's token is kept as its SHA-256 only.
alter table auth.users add column if not exists invited_at timestamptz;
alter table auth.users add column if not exists confirmation_token text;
alter table auth.users add column if not exists confirmation_sent_at timestamptz;

create table if not exists auth.refresh_tokens (
  id bigserial primary key,
  token text not null unique,
  user_id uuid not null references auth.users (id) on delete cascade,
  session_id uuid not null,
  parent text,
  revoked boolean not null default false,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index if not exists refresh_tokens_session_idx on auth.refresh_tokens (session_id);

-- Same definitions as Supabase's: claims come from the request.jwt.claims setting. nullif keeps a
-- reused connection (where the setting is '' after a reset) from failing the cast.
create or replace function auth.jwt() returns jsonb language sql stable as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim', true), ''),
    nullif(current_setting('request.jwt.claims', true), '')
  )::jsonb
$$;

create or replace function auth.uid() returns uuid language sql stable as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim.sub', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub')
  )::uuid
$$;

create or replace function auth.role() returns text language sql stable as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim.role', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role')
  )::text
$$;

grant execute on function auth.jwt(), auth.uid(), auth.role() to anon, authenticated, service_role;

do $$
begin
  if not exists (select 1 from pg_publication where pubname = 'supabase_realtime') then
    create publication supabase_realtime;
  end if;
end
$$;

-- Supabase CLI keeps the applied migrations here; the local runner uses the same table.
create schema if not exists supabase_migrations;
create table if not exists supabase_migrations.schema_migrations (
  version text primary key,
  statements text[],
  name text
);

-- Local Realtime: which of the subscriptions to one change may see it, checked as Supabase's
-- realtime.apply_rls does: each subscriber's role and JWT claims, its filters evaluated on the
-- change record with PostgreSQL's own casts and operators, and (for tables with RLS, except on
-- DELETE) a lookup of the row by primary key under that role. One call per change; each distinct
-- filter is evaluated once, and the row lookup is planned once (a prepared statement).
create schema if not exists realtime;

drop function if exists realtime.local_visible_subscriptions(regclass, jsonb, jsonb, boolean, jsonb);
create or replace function realtime.local_visible_subscriptions(
  entity regclass,
  record jsonb,        -- column -> text value of the change record (old record for DELETE)
  pk jsonb,            -- primary key column -> text value
  check_rls boolean,
  subscribers jsonb,   -- [{id, role, claims, filter}], filter: SQL over $1 (the record) or null
  key_sql text default null -- SQL over x.claims: subscribers with the same role and key see the same rows
) returns setof text
language plpgsql volatile as $$
declare
  sub record;
  ok boolean;
  f text;
  i int;
  passed jsonb := '{}';
  readable jsonb := '{}';
  pk_where text;
  keys jsonb := '{}';   -- subscriber id -> its visibility group ("role/key"), when it has one
  decided jsonb := '{}'; -- visibility group -> whether the row is visible to it
  grp text;
begin
  -- Groups, computed now (never cached: a removed or moved agent is grouped by what is true now).
  if check_rls and key_sql is not null then
    execute format('select coalesce(jsonb_object_agg(g.id, g.grp) filter (where g.grp is not null), ''{}'')
                      from (select x.id, x.role || ''/'' || (%s) as grp
                              from jsonb_to_recordset($1) as x(id text, role text, claims jsonb)) g', key_sql)
      using subscribers into keys;
  end if;
  for f in select distinct x.filter from jsonb_to_recordset(subscribers) as x(filter text) where x.filter is not null loop
    begin
      execute 'select ' || f using record into ok;
    exception when others then
      ok := false; -- a filter that cannot be evaluated hides the change (fails closed)
    end;
    passed := passed || jsonb_build_object(f, coalesce(ok, false));
  end loop;
  if check_rls then
    -- A statement left over by an aborted earlier call would make PREPARE fail.
    begin
      deallocate local_rls_check;
    exception when others then
      null;
    end;
    select string_agg(format('%I = %L', key, value), ' and ') into pk_where from jsonb_each_text(pk);
    execute format('prepare local_rls_check as select exists (select 1 from %s where %s)', entity, pk_where);
    -- Logical decoding can deliver a commit a moment before the transaction is visible to other
    -- sessions' snapshots. Wait (as the owner, past RLS) until the row is there, or at most
    -- ~100 ms for a row deleted since, so the per-subscriber check below judges committed data.
    for i in 1..50 loop
      execute 'execute local_rls_check' into ok;
      exit when ok;
      perform pg_sleep(0.002);
    end loop;
  end if;
  for sub in select * from jsonb_to_recordset(subscribers) as x(id text, role text, claims jsonb, filter text) order by role loop
    if sub.filter is not null and (passed ->> sub.filter) <> 'true' then
      continue;
    end if;
    if not readable ? sub.role then
      readable := readable || jsonb_build_object(sub.role, has_table_privilege(sub.role, entity, 'SELECT'));
    end if;
    if (readable ->> sub.role) <> 'true' then
      continue;
    end if;
    if check_rls then
      grp := keys ->> sub.id;
      if grp is not null and decided ? grp then
        ok := (decided ->> grp)::boolean; -- the same visibility as another of its group: checked once
      else
        perform set_config('role', sub.role, true),
                set_config('request.jwt.claims', sub.claims::text, true),
                set_config('request.jwt.claim.sub', coalesce(sub.claims ->> 'sub', ''), true),
                set_config('request.jwt.claim.role', coalesce(sub.claims ->> 'role', ''), true);
        execute 'execute local_rls_check' into ok;
        ok := coalesce(ok, false);
        if grp is not null then
          decided := decided || jsonb_build_object(grp, ok);
        end if;
      end if;
      if not ok then
        continue;
      end if;
    end if;
    return next sub.id;
  end loop;
  perform set_config('role', null, true);
  if check_rls then
    deallocate local_rls_check;
  end if;
end
$$;
