-- Row Level Security: an agent (a signed-in Supabase user listed in `agents`) reads and writes only
-- its own organisation's rows. The Switchboard server connects as the table owner and checks the
-- tenant itself; these policies guard every other path (supabase-js, PostgREST, Realtime).

-- The caller's organisation. SECURITY DEFINER so policies on `agents` do not recurse.
create function public.my_organisation_id() returns uuid
language sql stable security definer set search_path = '' as $$
  select organisation_id from public.agents where id = auth.uid()
$$;
revoke all on function public.my_organisation_id() from public;
grant execute on function public.my_organisation_id() to authenticated, service_role;

alter table public.organisations enable row level security;
alter table public.agents enable row level security;
alter table public.channels enable row level security;
alter table public.contacts enable row level security;
alter table public.conversations enable row level security;
alter table public.messages enable row level security;
alter table public.read_states enable row level security;
-- No policy at all: only the server (owner) and service_role see unrouted messages.
alter table public.unrouted_messages enable row level security;

create policy "agents read their organisation" on public.organisations
  for select to authenticated using (id = public.my_organisation_id());

create policy "agents read their colleagues" on public.agents
  for select to authenticated using (organisation_id = public.my_organisation_id());

create policy "agents read their channels" on public.channels
  for select to authenticated using (organisation_id = public.my_organisation_id());

create policy "agents use their contacts" on public.contacts
  for all to authenticated
  using (organisation_id = public.my_organisation_id())
  with check (organisation_id = public.my_organisation_id());

create policy "agents use their conversations" on public.conversations
  for all to authenticated
  using (organisation_id = public.my_organisation_id())
  with check (organisation_id = public.my_organisation_id());

create policy "agents use their messages" on public.messages
  for all to authenticated
  using (organisation_id = public.my_organisation_id())
  with check (organisation_id = public.my_organisation_id());

create policy "agents use their own read state" on public.read_states
  for all to authenticated
  using (agent_id = auth.uid())
  with check (agent_id = auth.uid() and organisation_id = public.my_organisation_id());

-- The tables whose changes reach agents live through Supabase Realtime (postgres_changes).
alter publication supabase_realtime add table
  public.messages, public.conversations, public.read_states, public.contacts;
