-- Unrouted messages an organisation's admin may see and set up (issue 21).
--
-- Twilio signs each webhook over its full URL, so a message that arrives signed at an
-- organisation's own webhook URL (`/api/webhooks/twilio/organisations/<id>`) was pointed at that
-- organisation by whoever holds the Twilio account. Such a message, for a number or Messaging
-- Service no channel owns yet, is attributed to the organisation: its admins see it and can set
-- the number up as a channel, which routes the waiting messages into conversations. A message that
-- arrived at the shared URL stays the operator's (`npm run admin -- list-unrouted`).

alter table public.unrouted_messages
  add column organisation_id uuid references public.organisations (id) on delete set null;
create index unrouted_messages_waiting_idx on public.unrouted_messages (organisation_id, to_address) where routed_at is null;
create index unrouted_messages_waiting_service_idx on public.unrouted_messages (messaging_service_sid) where routed_at is null;

-- A message routed late keeps the time the customer wrote it (and so the reply window it opened).
alter type public.inbound_item add attribute received_at timestamptz;

create or replace function public.store_inbound_batch(p_items jsonb) returns setof jsonb
language plpgsql as $$
declare
  v_items public.inbound_item[];
  v_new public.inbound_item[];
  v_messages public.messages[];
  v_conversations jsonb;
  v_at timestamptz := clock_timestamp();
begin
  -- Route each message as store_inbound_message does: the bare number first, then a Messaging Service.
  select array_agg(row(i.ord, i.sid, i.from_address, i.to_address, i.messaging_service_sid, i.body, i.profile_name, i.media, i.preview, i.raw,
                       i.location, ch.organisation_id, ch.id, regexp_replace(i.from_address, '^whatsapp:', ''), i.received_at)::public.inbound_item order by i.ord)
    into v_items
    from jsonb_populate_recordset(null::public.inbound_item, p_items) i
    left join lateral (
      select c.id, c.organisation_id from public.channels c
       where c.whatsapp_number = i.to_address or (i.messaging_service_sid is not null and c.messaging_service_sid = i.messaging_service_sid)
       order by (c.whatsapp_number = i.to_address) desc nulls last limit 1
    ) ch on true;

  insert into public.unrouted_messages (twilio_sid, to_address, from_address, messaging_service_sid, payload)
  select x.sid, x.to_address, x.from_address, x.messaging_service_sid, x.raw from unnest(v_items) x where x.channel_id is null order by x.ord
  on conflict (twilio_sid) do nothing;

  -- New messages: routed, not stored before, first of their MessageSid in this batch.
  v_new := array(
    select x from unnest(v_items) x
     where x.channel_id is not null
       and not exists (select 1 from public.messages m where m.twilio_sid = x.sid)
       and x.ord = (select min(y.ord) from unnest(v_items) y where y.sid = x.sid)
     order by x.ord);

  -- Rows are locked in one order in every batch (contacts, then conversations, each sorted): no deadlocks.
  -- A contact's profile name becomes the last one given in the batch, as one message after another would.
  insert into public.contacts (organisation_id, phone_e164, profile_name)
  select k.organisation_id, k.phone,
         (select x.profile_name from unnest(v_new) x
           where x.organisation_id = k.organisation_id and x.phone = k.phone and x.profile_name is not null order by x.ord desc limit 1)
    from (select distinct x.organisation_id, x.phone from unnest(v_new) x) k
   order by k.organisation_id, k.phone
  on conflict (organisation_id, phone_e164) do update set profile_name = excluded.profile_name
    where contacts.profile_name is distinct from excluded.profile_name and excluded.profile_name is not null;

  insert into public.conversations (organisation_id, channel_id, contact_id)
  select distinct x.organisation_id, x.channel_id, ct.id
    from unnest(v_new) x join public.contacts ct on ct.organisation_id = x.organisation_id and ct.phone_e164 = x.phone
   order by x.channel_id, ct.id
  on conflict (channel_id, contact_id) do nothing;

  -- created_at keeps arrival order inside the batch (one microsecond apart), so threads sort as the
  -- customers wrote; a message routed late (received_at given) keeps the time it arrived.
  with inserted as (
    insert into public.messages (organisation_id, conversation_id, direction, body, media, location, twilio_sid, status, created_at)
    select x.organisation_id, cv.id, 'inbound', x.body, x.media, x.location, x.sid, 'received',
           coalesce(x.received_at, v_at) + (row_number() over (order by x.ord)) * interval '1 microsecond'
      from unnest(v_new) x
      join public.contacts ct on ct.organisation_id = x.organisation_id and ct.phone_e164 = x.phone
      join public.conversations cv on cv.channel_id = x.channel_id and cv.contact_id = ct.id
     order by x.ord
    on conflict (twilio_sid) do nothing -- lost a race with a concurrent retry
    returning *
  )
  select coalesce(array_agg(i), '{}') into v_messages from inserted i;

  perform 1 from public.conversations where id in (select m.conversation_id from unnest(v_messages) m) order by id for update;
  with batch as (
    select m.conversation_id, count(*) as n, max(m.created_at) as last_at,
           (array_agg(x.preview order by m.created_at desc))[1] as preview
      from unnest(v_messages) m join unnest(v_new) x on x.sid = m.twilio_sid
     group by m.conversation_id
  ), updated as (
    update public.conversations c
       set inbound_count = c.inbound_count + b.n,
           last_inbound_at = greatest(c.last_inbound_at, b.last_at),
           last_message_preview = case when b.last_at >= coalesce(c.last_message_at, '-infinity') then b.preview else c.last_message_preview end,
           last_message_at = greatest(c.last_message_at, b.last_at)
      from batch b
     where c.id = b.conversation_id
    returning c.*
  )
  select coalesce(jsonb_object_agg(u.id, to_jsonb(u) || jsonb_build_object('phone_e164', ct.phone_e164, 'profile_name', ct.profile_name)), '{}')
    into v_conversations
    from updated u join public.contacts ct on ct.id = u.contact_id;

  return query
  select case
           when x.channel_id is null then jsonb_build_object('ord', x.ord, 'kind', 'unrouted')
           when m.id is null then jsonb_build_object('ord', x.ord, 'kind', 'duplicate')
           else jsonb_build_object('ord', x.ord, 'kind', 'stored', 'organisation_id', x.organisation_id, 'message', to_jsonb(m),
                                   'conversation', v_conversations -> m.conversation_id::text)
         end
    from unnest(v_items) x
    left join unnest(v_new) n on n.ord = x.ord
    left join unnest(v_messages) m on m.twilio_sid = n.sid
   order by x.ord;
end
$$;
revoke all on function public.store_inbound_batch(jsonb) from public, anon, authenticated;
