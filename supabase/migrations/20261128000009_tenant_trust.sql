-- Tenant trust (docs/security.md): agents read through Row Level Security and write only through
-- the Switchboard server, rows can only point at rows of their own organisation, Twilio's media
-- URLs are no longer stored where clients can read them, and templates belong to organisations.

-- 1. Clients write nothing themselves. Reads stay scoped by the select policies; every write
--    (replies, notes, assignment, read state) is a server route that checks the agent and the
--    tenant first. Supabase grants everything on new tables to anon and authenticated by default:
--    take the writes back, table by table, and keep it so for tables created later.
drop policy "agents use their contacts" on public.contacts;
drop policy "agents use their conversations" on public.conversations;
drop policy "agents use their messages" on public.messages;
drop policy "agents use their own read state" on public.read_states;

create policy "agents read their contacts" on public.contacts
  for select to authenticated using (organisation_id = public.my_organisation_id());
create policy "agents read their conversations" on public.conversations
  for select to authenticated using (organisation_id = public.my_organisation_id());
create policy "agents read their messages" on public.messages
  for select to authenticated using (organisation_id = public.my_organisation_id());
create policy "agents read their own read state" on public.read_states
  for select to authenticated using (agent_id = auth.uid() and organisation_id = public.my_organisation_id());

revoke insert, update, delete, truncate, references, trigger on all tables in schema public from anon, authenticated;
revoke all on public.unrouted_messages from anon, authenticated;
alter default privileges in schema public revoke insert, update, delete, truncate, references, trigger on tables from anon, authenticated;
-- Functions that write are the server's alone (PostgREST would expose them as RPC).
revoke execute on function public.touch_change(), public.touch_conversation() from public, anon, authenticated;

-- 2. A row points only at rows of its own organisation: a conversation at its organisation's
--    channel and contact, a message and a read state at their organisation's conversation, an
--    assignee from the same organisation. Enforced by the schema, so no code path can mix tenants.
alter table public.channels add constraint channels_id_org_key unique (id, organisation_id);
alter table public.contacts add constraint contacts_id_org_key unique (id, organisation_id);
alter table public.conversations add constraint conversations_id_org_key unique (id, organisation_id);

alter table public.conversations
  add constraint conversations_channel_same_org foreign key (channel_id, organisation_id)
    references public.channels (id, organisation_id) on delete cascade,
  add constraint conversations_contact_same_org foreign key (contact_id, organisation_id)
    references public.contacts (id, organisation_id) on delete cascade;
-- The assignee is cleared when the agent leaves (the single-column key keeps `on delete set null`);
-- this trigger refuses an assignee of another organisation.
create function public.assignee_same_org() returns trigger language plpgsql as $$
begin
  if new.assignee_id is not null and not exists (
    select 1 from public.agents a where a.id = new.assignee_id and a.organisation_id = new.organisation_id
  ) then
    raise exception 'assignee % is not an agent of organisation %', new.assignee_id, new.organisation_id
      using errcode = '23503';
  end if;
  return new;
end
$$;
revoke execute on function public.assignee_same_org() from public, anon, authenticated;
create trigger conversations_assignee_same_org before insert or update of assignee_id, organisation_id on public.conversations
  for each row execute function public.assignee_same_org();

alter table public.messages
  add constraint messages_conversation_same_org foreign key (conversation_id, organisation_id)
    references public.conversations (id, organisation_id) on delete cascade;
alter table public.read_states
  add constraint read_states_conversation_same_org foreign key (conversation_id, organisation_id)
    references public.conversations (id, organisation_id) on delete cascade;
alter table public.canned_replies enable row level security;

-- 3. Inbound media keep Twilio's media sid, not its URL: the server rebuilds the URL from this
--    account's sid and the message's sid, and clients only ever see the server's media route.
update public.messages m
   set media = (
     select coalesce(jsonb_agg(jsonb_build_object(
              'contentType', item ->> 'contentType',
              'sid', substring(item ->> 'url' from '/Media/(ME[0-9a-f]{32})$')) order by ord), '[]'::jsonb)
       from jsonb_array_elements(m.media) with ordinality as t(item, ord))
 where m.direction = 'inbound' and jsonb_array_length(m.media) > 0;

-- 4. WhatsApp templates (Twilio Content API) are per account; an organisation sees and sends only
--    the ones an admin gave it (`npm run admin -- add-template`), even when organisations share
--    one Twilio account.
create table public.organisation_templates (
  organisation_id uuid not null references public.organisations (id) on delete cascade,
  content_sid text not null check (content_sid ~ '^HX[0-9a-f]{32}$'),
  created_at timestamptz not null default now(),
  primary key (organisation_id, content_sid)
);
alter table public.organisation_templates enable row level security;
create policy "agents read their templates" on public.organisation_templates
  for select to authenticated using (organisation_id = public.my_organisation_id());
revoke insert, update, delete, truncate, references, trigger on public.organisation_templates from anon, authenticated;
