-- WhatsApp as customers use it (issue 19): quoted replies, tapped buttons and list items, the raw
-- webhook of every message, and opt-out.
--
-- * `messages.quote`: the message a customer's reply quotes (Twilio's OriginalRepliedMessageSid),
--   with its text when Switchboard has it: {sid, messageId, direction, body, contentType}.
-- * `messages.interactive`: a tapped quick-reply button or list item: {kind, text, payload}.
-- * `message_payloads`: every form field of the webhook, for fields not used today (server only).
-- * `conversations.opted_out_at`: the customer sent an opt-out keyword to this channel (STOP…);
--   an opt-in keyword (START…) clears it. Replies are refused while it is set.
-- Every inbound message is now stored by store_inbound_batch (one message is a batch of one).

alter table public.messages add column quote jsonb, add column interactive jsonb;

create table public.message_payloads (
  message_id uuid primary key references public.messages (id) on delete cascade,
  organisation_id uuid not null references public.organisations (id) on delete cascade,
  payload jsonb not null
);
alter table public.message_payloads enable row level security;
revoke all on public.message_payloads from anon, authenticated;

alter table public.conversations add column opted_out_at timestamptz;

-- Files agents upload to send (kept in the deployment's file storage under `storage_key`): Twilio
-- fetches them from a signed, expiring URL of the server's. Server only.
create table public.uploads (
  id uuid primary key default gen_random_uuid(),
  organisation_id uuid not null references public.organisations (id) on delete cascade,
  agent_id uuid references public.agents (id) on delete set null,
  storage_key text not null unique,
  content_type text not null,
  size_bytes bigint not null check (size_bytes > 0),
  file_name text not null check (length(file_name) between 1 and 255),
  sha256 text not null,
  created_at timestamptz not null default now()
);
create index uploads_organisation_idx on public.uploads (organisation_id, created_at desc);
alter table public.uploads enable row level security;
revoke all on public.uploads from anon, authenticated;

alter type public.inbound_item add attribute reply_to_sid text, add attribute interactive jsonb, add attribute opt text;

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
                       i.location, ch.organisation_id, ch.id, regexp_replace(i.from_address, '^whatsapp:', ''), i.received_at,
                       i.reply_to_sid, i.interactive, i.opt)::public.inbound_item order by i.ord)
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
  -- A quoted message is looked up in the same conversation only (never another organisation's row);
  -- its text is kept with the reply, so the quote shows wherever the reply goes.
  with inserted as (
    insert into public.messages (organisation_id, conversation_id, direction, body, media, location, twilio_sid, status, created_at, quote, interactive)
    select x.organisation_id, cv.id, 'inbound', x.body, x.media, x.location, x.sid, 'received',
           coalesce(x.received_at, v_at) + (row_number() over (order by x.ord)) * interval '1 microsecond',
           case when x.reply_to_sid is not null then
             jsonb_build_object('sid', x.reply_to_sid, 'messageId', q.id, 'direction', q.direction, 'body', left(q.body, 300),
                                'contentType', q.media -> 0 ->> 'contentType')
           end,
           x.interactive
      from unnest(v_new) x
      join public.contacts ct on ct.organisation_id = x.organisation_id and ct.phone_e164 = x.phone
      join public.conversations cv on cv.channel_id = x.channel_id and cv.contact_id = ct.id
      left join public.messages q on x.reply_to_sid is not null and q.twilio_sid = x.reply_to_sid and q.conversation_id = cv.id
     order by x.ord
    on conflict (twilio_sid) do nothing -- lost a race with a concurrent retry
    returning *
  )
  select coalesce(array_agg(i), '{}') into v_messages from inserted i;

  -- Every field Twilio sent, kept beside the message (the server reads it; clients never do).
  insert into public.message_payloads (message_id, organisation_id, payload)
  select m.id, m.organisation_id, x.raw from unnest(v_messages) m join unnest(v_new) x on x.sid = m.twilio_sid;

  perform 1 from public.conversations where id in (select m.conversation_id from unnest(v_messages) m) order by id for update;
  with batch as (
    select m.conversation_id, count(*) as n, max(m.created_at) as last_at,
           (array_agg(x.preview order by m.created_at desc))[1] as preview,
           -- The customer's last opt-out (STOP…) or opt-in (START…) keyword of the batch decides.
           (array_agg(x.opt order by m.created_at desc) filter (where x.opt is not null))[1] as opt,
           max(m.created_at) filter (where x.opt is not null) as opt_at
      from unnest(v_messages) m join unnest(v_new) x on x.sid = m.twilio_sid
     group by m.conversation_id
  ), updated as (
    update public.conversations c
       set inbound_count = c.inbound_count + b.n,
           last_inbound_at = greatest(c.last_inbound_at, b.last_at),
           last_message_preview = case when b.last_at >= coalesce(c.last_message_at, '-infinity') then b.preview else c.last_message_preview end,
           last_message_at = greatest(c.last_message_at, b.last_at),
           opted_out_at = case b.opt when 'out' then coalesce(c.opted_out_at, b.opt_at) when 'in' then null else c.opted_out_at end
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
