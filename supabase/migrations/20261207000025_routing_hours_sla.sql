-- Routing, part 3: business hours, SLA policies and their clocks, breaches, and the auto-reply's
-- bookkeeping. Times of day are minutes from midnight in the team's IANA time zone; the server
-- does the calendar arithmetic (server/routing/business-hours.ts), the database keeps the facts.

-- Business hours: off (always open), or the weekly hours below in `time_zone`, minus holidays.
alter table public.teams
  add column time_zone text not null default 'UTC' check (length(time_zone) between 1 and 64),
  add column hours_enabled boolean not null default false,
  -- Sent (as free text, inside WhatsApp's 24-hour window) once per conversation per closed period.
  add column auto_reply text check (length(auto_reply) between 1 and 1024);

-- Open from `opens_minute` to `closes_minute` on ISO weekday `weekday` (1 = Monday). A shift past
-- midnight is two intervals (…-1440 and 0-…).
create table public.team_hours (
  team_id uuid not null,
  organisation_id uuid not null references public.organisations (id) on delete cascade,
  weekday smallint not null check (weekday between 1 and 7),
  opens_minute smallint not null check (opens_minute between 0 and 1439),
  closes_minute smallint not null check (closes_minute between 1 and 1440),
  check (closes_minute > opens_minute),
  primary key (team_id, weekday, opens_minute),
  foreign key (team_id, organisation_id) references public.teams (id, organisation_id) on delete cascade
);

-- Whole days closed, in the team's time zone.
create table public.team_holidays (
  team_id uuid not null,
  organisation_id uuid not null references public.organisations (id) on delete cascade,
  day date not null,
  name text not null default '' check (length(name) <= 100),
  primary key (team_id, day),
  foreign key (team_id, organisation_id) references public.teams (id, organisation_id) on delete cascade
);

-- A team's SLA targets, in business minutes (null: no target of that kind).
create table public.sla_policies (
  team_id uuid primary key,
  organisation_id uuid not null references public.organisations (id) on delete cascade,
  first_response_minutes integer check (first_response_minutes between 1 and 100000),
  next_response_minutes integer check (next_response_minutes between 1 and 100000),
  resolution_minutes integer check (resolution_minutes between 1 and 1000000),
  -- The assignee is warned this long (wall clock) before a due time; 0: no warning.
  warn_before_minutes integer not null default 5 check (warn_before_minutes between 0 and 1440),
  notify_admins boolean not null default false,
  updated_at timestamptz not null default now(),
  foreign key (team_id, organisation_id) references public.teams (id, organisation_id) on delete cascade
);

-- A conversation's next due time and its kind, for the list (sorted by it, red when past). The
-- server writes them from the conversation's clocks.
alter table public.conversations
  add column sla_due_at timestamptz,
  add column sla_due_kind text check (sla_due_kind in ('first_response', 'next_response', 'resolution')),
  -- Each reopening starts a new cycle of clocks (a breach is recorded once per kind per cycle).
  add column sla_cycle integer not null default 0;
create index conversations_sla_due_idx on public.conversations (sla_due_at) where sla_due_at is not null;

-- One SLA clock: started when the customer needs something, stopped (`stopped_at`) when an agent
-- replies (responses) or resolves (all). `due_at` is computed by the server in business minutes
-- from `started_at` (null until then). `cycle`: for the resolution, the conversation's cycle (how
-- often it was reopened); 0 for the first response; for next responses, the number of the reply
-- awaited (a conversation awaits many).
create table public.sla_clocks (
  conversation_id uuid not null,
  kind text not null check (kind in ('first_response', 'next_response', 'resolution')),
  cycle integer not null,
  organisation_id uuid not null references public.organisations (id) on delete cascade,
  team_id uuid not null,
  target_minutes integer not null,
  started_at timestamptz not null,
  due_at timestamptz,
  warned_at timestamptz,
  stopped_at timestamptz,
  primary key (conversation_id, kind, cycle),
  foreign key (conversation_id, organisation_id) references public.conversations (id, organisation_id) on delete cascade,
  foreign key (team_id, organisation_id) references public.teams (id, organisation_id) on delete cascade
);
create index sla_clocks_unset_idx on public.sla_clocks (started_at) where due_at is null and stopped_at is null;
create index sla_clocks_running_idx on public.sla_clocks (due_at) where stopped_at is null;

-- A breach, recorded once per conversation, kind and cycle (the unique key is what makes its
-- notification go out exactly once, whichever instance finds it first). Kept for reports.
create table public.sla_breaches (
  conversation_id uuid not null,
  kind text not null check (kind in ('first_response', 'next_response', 'resolution')),
  cycle integer not null,
  organisation_id uuid not null references public.organisations (id) on delete cascade,
  -- Null once the team is deleted: the breach stays for reports.
  team_id uuid,
  assignee_id uuid references public.agents (id) on delete set null,
  due_at timestamptz not null,
  breached_at timestamptz not null default now(),
  primary key (conversation_id, kind, cycle),
  foreign key (conversation_id, organisation_id) references public.conversations (id, organisation_id) on delete cascade,
  foreign key (team_id, organisation_id) references public.teams (id, organisation_id) on delete set null (team_id)
);
create index sla_breaches_org_idx on public.sla_breaches (organisation_id, breached_at desc);

-- The auto-reply sent to a conversation in a closed period (which starts at `period_start`): at
-- most one per conversation per period, whichever instance tries.
create table public.auto_replies (
  conversation_id uuid not null,
  period_start timestamptz not null,
  organisation_id uuid not null references public.organisations (id) on delete cascade,
  message_id uuid references public.messages (id) on delete set null,
  created_at timestamptz not null default now(),
  primary key (conversation_id, period_start),
  foreign key (conversation_id, organisation_id) references public.conversations (id, organisation_id) on delete cascade
);

-- Clocks follow the thread: a customer message starts a response clock (first response in the
-- first cycle, next response after that or once an agent has replied) and the cycle's resolution
-- clock; an agent's reply stops the response clocks; resolving stops them all, and the customer
-- reopening starts a new cycle. NOTIFY switchboard_routing 'sla' asks the server for due times.
create function public.sla_on_message() returns trigger language plpgsql as $$
declare
  v_conv record;
  v_policy record;
  v_kind text;
  v_started boolean := false;
begin
  if new.direction = 'outbound' and new.sent_by is not null then
    update public.sla_clocks set stopped_at = new.created_at
     where conversation_id = new.conversation_id and stopped_at is null and kind <> 'resolution';
    if found then
      -- What is due next now: the resolution, if its clock runs, or nothing.
      update public.conversations c
         set (sla_due_at, sla_due_kind) = (select k.due_at, k.kind from public.sla_clocks k
                                            where k.conversation_id = c.id and k.stopped_at is null and k.due_at is not null
                                            order by k.due_at limit 1)
       where c.id = new.conversation_id;
    end if;
    return null;
  end if;
  if new.direction <> 'inbound' then
    return null;
  end if;
  -- A message to a resolved conversation reopens it just after (new cycle): its clocks are the new cycle's.
  select c.id, c.organisation_id, c.sla_cycle + (c.status = 'resolved')::int as sla_cycle, ch.team_id into v_conv
    from public.conversations c join public.channels ch on ch.id = c.channel_id where c.id = new.conversation_id;
  if v_conv.team_id is null then
    return null;
  end if;
  select * into v_policy from public.sla_policies where team_id = v_conv.team_id;
  if not found then
    return null;
  end if;
  if v_policy.resolution_minutes is not null then
    insert into public.sla_clocks (conversation_id, kind, cycle, organisation_id, team_id, target_minutes, started_at)
    values (new.conversation_id, 'resolution', v_conv.sla_cycle, v_conv.organisation_id, v_conv.team_id, v_policy.resolution_minutes, new.created_at)
    on conflict do nothing;
    v_started := found;
  end if;
  -- A response is owed already (its clock runs): this message adds nothing to wait for.
  if not exists (select 1 from public.sla_clocks
                  where conversation_id = new.conversation_id and stopped_at is null and kind <> 'resolution') then
    v_kind := case when v_conv.sla_cycle = 0 and not exists (
                     select 1 from public.messages m where m.conversation_id = new.conversation_id and m.direction = 'outbound' and m.sent_by is not null)
                   then 'first_response' else 'next_response' end;
    if (v_kind = 'first_response' and v_policy.first_response_minutes is not null) or (v_kind = 'next_response' and v_policy.next_response_minutes is not null) then
      -- `cycle` of a response clock: 0 for the first response; the number of the reply awaited for next responses.
      insert into public.sla_clocks (conversation_id, kind, cycle, organisation_id, team_id, target_minutes, started_at)
      values (new.conversation_id, v_kind,
              case v_kind when 'first_response' then 0
                          else coalesce((select max(k.cycle) + 1 from public.sla_clocks k where k.conversation_id = new.conversation_id and k.kind = 'next_response'), 0) end,
              v_conv.organisation_id, v_conv.team_id,
              case v_kind when 'first_response' then v_policy.first_response_minutes else v_policy.next_response_minutes end, new.created_at)
      on conflict do nothing;
      v_started := v_started or found;
    end if;
  end if;
  if v_started then
    perform pg_notify('switchboard_routing', 'sla');
  end if;
  return null;
end
$$;
create trigger messages_sla after insert on public.messages
  for each row when (new.direction = 'inbound' or (new.direction = 'outbound' and new.sent_by is not null))
  execute function public.sla_on_message();

create function public.sla_on_status() returns trigger language plpgsql as $$
begin
  if new.status = 'resolved' then
    update public.sla_clocks set stopped_at = clock_timestamp() where conversation_id = new.id and stopped_at is null;
    new.sla_due_at := null;
    new.sla_due_kind := null;
  elsif old.status = 'resolved' and new.status = 'open' then
    new.sla_cycle := old.sla_cycle + 1;
  end if;
  return new;
end
$$;
create trigger conversations_status_sla before update on public.conversations
  for each row when (new.status is distinct from old.status) execute function public.sla_on_status();

revoke all on public.sla_clocks, public.auto_replies from anon, authenticated;
revoke execute on function public.sla_on_message(), public.sla_on_status() from public, anon, authenticated;
