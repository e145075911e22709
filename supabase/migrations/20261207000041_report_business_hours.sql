-- Reports in business hours (docs/reports.md, "Business hours"; issue 35): each response time and
-- each resolution time also gets its duration in the business hours of the team that answers the
-- conversation's channel when the fact is made (no team, or the team's hours off: the wall-clock
-- duration). Computed once, as the fact is written, by the same calendar rules as the server's
-- (server/routing/business-hours.ts; a test holds the two equal to the millisecond).

-- The instant a team's local wall-clock time names. PostgreSQL takes a time the clocks show twice
-- (the hour repeated when they go back) as the later instant; the server's arithmetic (luxon) takes
-- the earlier, so the earlier it is here too: the local time read with the offset in force three
-- hours before PostgreSQL's instant (before any transition that repeats it), kept when it names the
-- same local time. A time the clocks skip is moved forward by the jump, as luxon does too.
create function public.business_instant(p_local timestamp, p_zone text) returns timestamptz
language sql stable parallel safe as $$
  select case when e < a and (e at time zone p_zone) = p_local then e else a end
    from (select p_local at time zone p_zone as a) x,
         lateral (select (p_local at time zone 'UTC')
                         - (((a - interval '3 hours') at time zone p_zone) - ((a - interval '3 hours') at time zone 'UTC')) as e) y
$$;

-- Seconds of [p_from, p_to) inside the team's business hours: the weekly intervals (minutes from
-- local midnight of each ISO weekday, in the team's IANA zone, with that date's offset), minus its
-- holidays (local dates), overlapping intervals counted once. No team, or hours off: the whole
-- span. p_to before p_from: 0. The local days looked at are those of the span and the day before
-- (an interval of that day may reach past midnight only as `…-1440`, so this is for safety).
create function public.business_seconds(p_team uuid, p_from timestamptz, p_to timestamptz) returns double precision
language sql stable parallel safe as $$
  select case
    when p_to <= p_from then 0::float8
    when t.hours_enabled is not true then extract(epoch from p_to - p_from)::float8
    else coalesce((
      select sum(extract(epoch from upper(r) - lower(r)))::float8
        from unnest((
          select range_agg(tstzrange(o.s, o.e))
            from generate_series(((p_from at time zone t.time_zone)::date - 1)::timestamp, (p_to at time zone t.time_zone)::date::timestamp, interval '1 day') g(d)
            join public.team_hours h on h.team_id = t.id and h.weekday = extract(isodow from g.d)
            cross join lateral (select public.business_instant(g.d + make_interval(mins => h.opens_minute), t.time_zone) as s,
                                       public.business_instant(g.d + make_interval(mins => h.closes_minute), t.time_zone) as e) o
           where o.e > o.s
             and not exists (select 1 from public.team_holidays x where x.team_id = t.id and x.day = g.d::date)
        ) * tstzmultirange(tstzrange(p_from, p_to))) r
    ), 0::float8)
  end
  from (select 1) one left join public.teams t on t.id = p_team
$$;

-- A fact's business duration, which must never cost the message that makes it: a team's zone
-- PostgreSQL does not know (one the server took that a later tz database dropped, such as
-- US/Pacific-New) counts the wall-clock duration, as a team without hours does. A span with an
-- infinite end (no message has one) would make the day series endless: it counts as infinite.
create function public.report_business_seconds(p_team uuid, p_from timestamptz, p_to timestamptz) returns double precision
language plpgsql stable as $$
begin
  if p_to <= p_from then
    return 0;
  elsif not (isfinite(p_from) and isfinite(p_to)) then
    return 'Infinity';
  end if;
  return public.business_seconds(p_team, p_from, p_to);
exception when invalid_parameter_value then
  return extract(epoch from p_to - p_from)::float8;
end
$$;

alter table public.report_responses add column business_seconds double precision;
-- The resolution time in business hours, set with the resolve.
alter table public.report_cycles add column business_seconds double precision;

-- Facts already kept: the hours of the channel's team now (who answered it then is not stored).
update public.report_responses r set business_seconds = public.report_business_seconds(ch.team_id, r.waited_from, r.answered_at)
  from public.channels ch where ch.id = r.channel_id;
update public.report_cycles c set business_seconds = public.report_business_seconds(ch.team_id, c.opened_at, c.resolved_at)
  from public.channels ch where ch.id = c.channel_id and c.resolved_at is not null;
alter table public.report_responses alter column business_seconds set not null;

-- The report's covering indexes, with the business durations: still one index-only pass each.
drop index public.report_responses_answered_idx;
create index report_responses_answered_idx on public.report_responses (organisation_id, answered_at)
  include (first, agent_id, channel_id, conversation_id, seconds, business_seconds);
drop index public.report_cycles_resolved_idx;
create index report_cycles_resolved_idx on public.report_cycles (organisation_id, resolved_at)
  include (opened_at, resolved_by, channel_id, conversation_id, contact_id, business_seconds) where resolved_at is not null;

-- The facts' business durations, set as `report_apply` (…030_reports.sql) writes a response or a
-- resolve, in the same statement: the hours of the channel's team at that moment.
create function public.report_response_business() returns trigger language plpgsql as $$
begin
  new.business_seconds := public.report_business_seconds((select team_id from public.channels where id = new.channel_id), new.waited_from, new.answered_at);
  return new;
end
$$;
create trigger report_responses_business before insert on public.report_responses
  for each row execute function public.report_response_business();

create function public.report_resolve_business() returns trigger language plpgsql as $$
begin
  new.business_seconds := case when new.resolved_at is not null
    then public.report_business_seconds((select team_id from public.channels where id = new.channel_id), new.opened_at, new.resolved_at) end;
  return new;
end
$$;
create trigger report_cycles_business before update of resolved_at on public.report_cycles
  for each row when (new.resolved_at is distinct from old.resolved_at) execute function public.report_resolve_business();

revoke execute on function public.report_response_business(), public.report_resolve_business() from public, anon, authenticated;
revoke execute on function public.business_instant(timestamp, text), public.business_seconds(uuid, timestamptz, timestamptz),
  public.report_business_seconds(uuid, timestamptz, timestamptz) from public, anon, authenticated;
