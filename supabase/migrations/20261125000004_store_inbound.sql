-- Stores one inbound WhatsApp message in a single round trip (the webhook answers faster and holds
-- its locks for less time). Idempotent on the Twilio MessageSid. Returns:
--   {"kind":"duplicate"} | {"kind":"unrouted"} |
--   {"kind":"stored","organisation_id":…,"message":<row>,"conversation":<row + contact>}
create function public.store_inbound_message(
  p_message_sid text,
  p_from text,            -- whatsapp:+E164
  p_to text,              -- whatsapp:+E164
  p_messaging_service_sid text,
  p_body text,
  p_profile_name text,
  p_media jsonb,
  p_preview text,
  p_raw jsonb
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

  insert into public.messages (organisation_id, conversation_id, direction, body, media, twilio_sid, status)
  values (v_channel.organisation_id, v_conversation_id, 'inbound', p_body, p_media, p_message_sid, 'received')
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
-- Only the server (the owner) stores webhooks; agents and anonymous callers may not.
revoke all on function public.store_inbound_message(text, text, text, text, text, text, jsonb, text, jsonb) from public, anon, authenticated;
