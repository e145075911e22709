-- Reports (docs/reports.md, issue 35): facts kept as messages are stored, so a report over a period
-- reads only that period's facts. One trigger on `messages` turns each customer message, outbound
-- message and status activity line into facts, in the writer's transaction. Server-only tables:
-- RLS on, no policy, nothing granted to clients; not in the Realtime publication.

-- Where each conversation stands: its current cycle, and the customer's wait not yet answered.
create table public.report_conversation_state (
  conversation_id uuid primary key references public.conversations (id) on delete cascade,
  organisation_id uuid not null,
  channel_id uuid not null,
  contact_id uuid not null,
  cycle_id bigint,
  cycle_seq integer not null default 0,
  resolved boolean not null default false,
  -- The customer's first message since the last agent's message (null: nobody waits).
  waiting_since timestamptz,
  -- Whether the cycle has had its first response.
  answered boolean not null default false
);

-- One row per cycle: from (re)opening to resolve.
create table public.report_cycles (
  id bigint generated always as identity primary key,
  organisation_id uuid not null,
  conversation_id uuid not null references public.conversations (id) on delete cascade,
  channel_id uuid not null,
  contact_id uuid not null,
  seq integer not null, -- 1: the conversation's first cycle; more: a reopening
  opened_at timestamptz not null,
  opened_by uuid references public.agents (id) on delete set null,
  resolved_at timestamptz,
  resolved_by uuid references public.agents (id) on delete set null
);
create index report_cycles_opened_idx on public.report_cycles (organisation_id, opened_at) include (seq, channel_id, conversation_id, contact_id);
create index report_cycles_resolved_idx on public.report_cycles (organisation_id, resolved_at)
  include (opened_at, resolved_by, channel_id, conversation_id, contact_id) where resolved_at is not null;

-- One row per response: an agent's message ending a customer's wait.
create table public.report_responses (
  id bigint generated always as identity primary key,
  organisation_id uuid not null,
  conversation_id uuid not null references public.conversations (id) on delete cascade,
  channel_id uuid not null,
  cycle_id bigint not null references public.report_cycles (id) on delete cascade,
  agent_id uuid references public.agents (id) on delete set null,
  first boolean not null,
  waited_from timestamptz not null,
  answered_at timestamptz not null,
  seconds double precision not null -- answered_at - waited_from, never negative
);
-- Covering: a report's one pass over its period's responses reads the index only.
create index report_responses_answered_idx on public.report_responses (organisation_id, answered_at)
  include (first, agent_id, channel_id, conversation_id, seconds);
create index report_responses_cycle_idx on public.report_responses (cycle_id);

-- Messages in and out per organisation, channel and 15-minute slot (every time zone's hours and
-- days are whole slots). `writer` is the PostgreSQL backend that counted (pg_backend_pid()): each
-- database connection adds to its own row, so two transactions writing messages of the same
-- channel at once never wait on one shared counter row (a hot row would serialise the whole
-- organisation's ingest until each commit). Reports sum over writers; 0 is the replay's.
create table public.report_volume (
  organisation_id uuid not null references public.organisations (id) on delete cascade,
  slot timestamptz not null,
  channel_id uuid not null,
  writer integer not null default 0,
  inbound integer not null default 0,
  outbound integer not null default 0,
  primary key (organisation_id, slot, channel_id, writer)
);

-- Agents' replies per agent, channel and 15-minute slot (per writer, as above).
create table public.report_agent_replies (
  organisation_id uuid not null references public.organisations (id) on delete cascade,
  slot timestamptz not null,
  agent_id uuid not null references public.agents (id) on delete cascade,
  channel_id uuid not null,
  writer integer not null default 0,
  replies integer not null default 0,
  primary key (organisation_id, slot, agent_id, channel_id, writer)
);

alter table public.report_conversation_state enable row level security;
alter table public.report_cycles enable row level security;
alter table public.report_responses enable row level security;
alter table public.report_volume enable row level security;
alter table public.report_agent_replies enable row level security;
revoke all on public.report_conversation_state, public.report_cycles, public.report_responses, public.report_volume, public.report_agent_replies
  from anon, authenticated;

-- Applies one message (customer's, agent's, or a status activity line) to its conversation's
-- cycles, waits and responses. Called in insertion order: by the trigger live, by the replay below
-- for older history. Volumes are counted per statement (report_track_messages); an automatic
-- message (outbound, no agent) is counted out there, never a response, and reopens nothing.
create function public.report_apply(m public.messages) returns void language plpgsql as $$
declare
  s public.report_conversation_state;
  v_was public.report_conversation_state;
  v_opens boolean;
begin
  select * into s from public.report_conversation_state where conversation_id = m.conversation_id for update;
  if not found then
    insert into public.report_conversation_state (conversation_id, organisation_id, channel_id, contact_id)
    select id, organisation_id, channel_id, contact_id from public.conversations where id = m.conversation_id
    on conflict (conversation_id) do nothing;
    select * into s from public.report_conversation_state where conversation_id = m.conversation_id for update;
  end if;
  v_was := s;

  -- A resolved conversation (or one with no cycle yet) begins a cycle with anything but a resolve.
  v_opens := (s.cycle_id is null or s.resolved) and not (m.direction = 'activity' and m.activity ->> 'status' = 'resolved');
  if v_opens then
    insert into public.report_cycles (organisation_id, conversation_id, channel_id, contact_id, seq, opened_at, opened_by)
    values (s.organisation_id, m.conversation_id, s.channel_id, s.contact_id, s.cycle_seq + 1, m.created_at,
            case when m.direction = 'inbound' then null else m.sent_by end)
    returning id into s.cycle_id;
    s.cycle_seq := s.cycle_seq + 1;
    s.resolved := false;
    s.answered := false;
    s.waiting_since := null;
  end if;

  if m.direction = 'inbound' then
    s.waiting_since := coalesce(s.waiting_since, m.created_at);
  elsif m.direction = 'outbound' then
    if s.waiting_since is not null then
      insert into public.report_responses (organisation_id, conversation_id, channel_id, cycle_id, agent_id, first, waited_from, answered_at, seconds)
      values (s.organisation_id, m.conversation_id, s.channel_id, s.cycle_id, m.sent_by, not s.answered, s.waiting_since, m.created_at,
              greatest(0, extract(epoch from m.created_at - s.waiting_since)));
      s.waiting_since := null;
      s.answered := true;
    end if;
  elsif m.activity ->> 'status' = 'resolved' and not s.resolved and s.cycle_id is not null then
    update public.report_cycles set resolved_at = m.created_at, resolved_by = m.sent_by where id = s.cycle_id;
    s.resolved := true;
    s.waiting_since := null; -- resolved without an answer: a wait with no response
  end if;

  if s is not distinct from v_was then
    return; -- a customer's further message while they wait: nothing to write
  end if;
  update public.report_conversation_state
     set cycle_id = s.cycle_id, cycle_seq = s.cycle_seq, resolved = s.resolved, waiting_since = s.waiting_since, answered = s.answered
   where conversation_id = m.conversation_id;
end
$$;

-- One statement's messages, conversation by conversation in id order, each in the order it was
-- written: state rows are locked in the order writers already lock conversations (a batch of
-- customers' messages sorts them too), and only after this statement holds the conversations
-- themselves, so the facts add no new way for two writers to wait on each other.
create function public.report_track_messages() returns trigger language plpgsql as $$
declare
  m public.messages;
begin
  -- The conversations first, in id order, with the lock every writer of a conversation takes
  -- (an update of its row): a writer holding a conversation (the routing engine assigning it, a
  -- status change writing its activity line) finishes before this statement touches the
  -- conversation's facts, and never waits on facts this statement holds. (A foreign key check
  -- only takes a share lock, which does not order the two: they deadlocked.)
  perform 1 from public.conversations where id in (select conversation_id from inserted) order by id for no key update;
  for m in
    select * from inserted
     where direction = 'inbound' or (direction = 'outbound' and sent_by is not null) or (direction = 'activity' and activity ->> 'kind' = 'status')
     order by conversation_id, created_at, id
  loop
    perform public.report_apply(m);
  end loop;
  -- Messages in and out, and agents' replies: one upsert per slot for the whole statement (a batch
  -- of customers' messages is one row's update, not one per message).
  insert into public.report_volume (organisation_id, slot, channel_id, writer, inbound, outbound)
  select x.organisation_id, date_bin('15 minutes', x.created_at, timestamptz '2000-01-01 00:00:00+00'), v.channel_id, pg_backend_pid(),
         count(*) filter (where x.direction = 'inbound'), count(*) filter (where x.direction = 'outbound')
    from inserted x join public.conversations v on v.id = x.conversation_id
   where x.direction in ('inbound', 'outbound')
   group by 1, 2, 3 order by 1, 2, 3
  on conflict (organisation_id, slot, channel_id, writer) do update
    set inbound = public.report_volume.inbound + excluded.inbound, outbound = public.report_volume.outbound + excluded.outbound;
  insert into public.report_agent_replies (organisation_id, slot, agent_id, channel_id, writer, replies)
  select x.organisation_id, date_bin('15 minutes', x.created_at, timestamptz '2000-01-01 00:00:00+00'), x.sent_by, v.channel_id, pg_backend_pid(), count(*)
    from inserted x join public.conversations v on v.id = x.conversation_id
   where x.direction = 'outbound' and x.sent_by is not null
   group by 1, 2, 3, 4 order by 1, 2, 3, 4
  on conflict (organisation_id, slot, agent_id, channel_id, writer) do update set replies = public.report_agent_replies.replies + excluded.replies;
  return null;
end
$$;
-- Notes and assignment lines change no figure.
create trigger messages_report after insert on public.messages
  referencing new table as inserted
  for each statement execute function public.report_track_messages();

-- History stored before reports existed (or facts rebuilt), replayed in the order it happened.
create function public.report_replay() returns bigint language plpgsql as $$
declare
  m public.messages;
  n bigint := 0;
begin
  for m in
    select * from public.messages
     where direction = 'inbound' or (direction = 'outbound' and sent_by is not null) or (direction = 'activity' and activity ->> 'kind' = 'status')
     order by conversation_id, created_at, id
  loop
    perform public.report_apply(m);
    n := n + 1;
  end loop;
  insert into public.report_volume (organisation_id, slot, channel_id, inbound, outbound)
  select x.organisation_id, date_bin('15 minutes', x.created_at, timestamptz '2000-01-01 00:00:00+00'), v.channel_id,
         count(*) filter (where x.direction = 'inbound'), count(*) filter (where x.direction = 'outbound')
    from public.messages x join public.conversations v on v.id = x.conversation_id
   where x.direction in ('inbound', 'outbound')
   group by 1, 2, 3;
  insert into public.report_agent_replies (organisation_id, slot, agent_id, channel_id, replies)
  select x.organisation_id, date_bin('15 minutes', x.created_at, timestamptz '2000-01-01 00:00:00+00'), x.sent_by, v.channel_id, count(*)
    from public.messages x join public.conversations v on v.id = x.conversation_id
   where x.direction = 'outbound' and x.sent_by is not null
   group by 1, 2, 3, 4;
  return n;
end
$$;
select public.report_replay();

revoke execute on function public.report_apply(public.messages), public.report_track_messages(), public.report_replay() from public, anon, authenticated;
