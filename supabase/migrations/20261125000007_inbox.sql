-- The side panel's inbox (issue 7): assignment, server-side search, private notes, canned replies
-- and location messages.

-- Private notes: agents' remarks in a thread, stored beside the messages (same sync, same live
-- paths) but never sent to the customer, never counted as unread, never the list preview.
alter table public.messages drop constraint messages_direction_check;
alter table public.messages add constraint messages_direction_check check (direction in ('inbound', 'outbound', 'note'));

-- A WhatsApp location the customer shared: {"latitude":…, "longitude":…, "address":…, "label":…}.
alter table public.messages add column location jsonb
  check (location is null or (jsonb_typeof(location -> 'latitude') = 'number' and jsonb_typeof(location -> 'longitude') = 'number'));

-- Search by name, number and message text, over the whole history (ILIKE served by trigram indexes).
create extension if not exists pg_trgm with schema extensions;
create index messages_body_trgm_idx on public.messages using gin (body extensions.gin_trgm_ops);
create index contacts_name_trgm_idx on public.contacts using gin (profile_name extensions.gin_trgm_ops);
create index contacts_phone_trgm_idx on public.contacts using gin (phone_e164 extensions.gin_trgm_ops);
create index conversations_assignee_idx on public.conversations (organisation_id, assignee_id);

-- An organisation's saved replies, inserted in the composer with "/shortcut".
create table public.canned_replies (
  id uuid primary key default gen_random_uuid(),
  organisation_id uuid not null references public.organisations (id) on delete cascade,
  shortcut text not null check (shortcut ~ '^[a-z0-9][a-z0-9_-]{0,31}$'),
  body text not null check (length(body) between 1 and 4096),
  created_at timestamptz not null default now(),
  unique (organisation_id, shortcut)
);
alter table public.canned_replies enable row level security;
create policy "agents read their canned replies" on public.canned_replies
  for select to authenticated using (organisation_id = public.my_organisation_id());

-- The inbound store, now with the location of a shared place.
drop function public.store_inbound_message(text, text, text, text, text, text, jsonb, text, jsonb);
create function public.store_inbound_message(
  p_message_sid text,
  p_from text,            -- whatsapp:+E164
  p_to text,              -- whatsapp:+E164
  p_messaging_service_sid text,
  p_body text,
  p_profile_name text,
  p_media jsonb,
  p_preview text,
  p_raw jsonb,
  p_location jsonb      -- {latitude, longitude, address?, label?} or null
) returns jsonb
language plpgsql as $$
declare
  v_channel public.channels;
  v_contact_id uuid;
  v_conversation_id uuid;
  v_message public.messages;
  v_conversation jsonb;
  v_phone text := regexp_replace(p_from, '^whatsapp:', '');
begin
  -- A bare number is the most specific match; a Messaging Service covers all its senders.
  select * into v_channel from public.channels
   where whatsapp_number = p_to or (p_messaging_service_sid is not null and messaging_service_sid = p_messaging_service_sid)
   order by (whatsapp_number = p_to) desc nulls last limit 1;
  if not found then
    insert into public.unrouted_messages (twilio_sid, to_address, from_address, messaging_service_sid, payload)
    values (p_message_sid, p_to, p_from, p_messaging_service_sid, p_raw)
    on conflict (twilio_sid) do nothing;
    return '{"kind":"unrouted"}';
  end if;
  -- Twilio retries deliveries: a MessageSid we already have changes nothing.
  perform 1 from public.messages where twilio_sid = p_message_sid;
  if found then
    return '{"kind":"duplicate"}';
  end if;

  insert into public.contacts (organisation_id, phone_e164, profile_name)
  values (v_channel.organisation_id, v_phone, p_profile_name)
  on conflict (organisation_id, phone_e164) do update set profile_name = excluded.profile_name
    where contacts.profile_name is distinct from excluded.profile_name and excluded.profile_name is not null
  returning id into v_contact_id;
  if v_contact_id is null then
    select id into v_contact_id from public.contacts where organisation_id = v_channel.organisation_id and phone_e164 = v_phone;
  end if;

  insert into public.conversations (organisation_id, channel_id, contact_id)
  values (v_channel.organisation_id, v_channel.id, v_contact_id)
  on conflict (channel_id, contact_id) do nothing;
  select id into v_conversation_id from public.conversations where channel_id = v_channel.id and contact_id = v_contact_id;

  insert into public.messages (organisation_id, conversation_id, direction, body, media, location, twilio_sid, status)
  values (v_channel.organisation_id, v_conversation_id, 'inbound', p_body, p_media, p_location, p_message_sid, 'received')
  on conflict (twilio_sid) do nothing
  returning * into v_message;
  if v_message.id is null then
    return '{"kind":"duplicate"}'; -- lost a race with a concurrent retry
  end if;

  with updated as (
    update public.conversations
       set inbound_count = inbound_count + 1,
           last_inbound_at = greatest(last_inbound_at, v_message.created_at),
           last_message_preview = case when v_message.created_at >= coalesce(last_message_at, '-infinity') then p_preview else last_message_preview end,
           last_message_at = greatest(last_message_at, v_message.created_at)
     where id = v_conversation_id
     returning *
  )
  select to_jsonb(u) || jsonb_build_object('phone_e164', ct.phone_e164, 'profile_name', ct.profile_name)
    into v_conversation
    from updated u join public.contacts ct on ct.id = u.contact_id;

  return jsonb_build_object('kind', 'stored', 'organisation_id', v_channel.organisation_id, 'message', to_jsonb(v_message), 'conversation', v_conversation);
end
$$;
revoke all on function public.store_inbound_message(text, text, text, text, text, text, jsonb, text, jsonb, jsonb) from public, anon, authenticated;
