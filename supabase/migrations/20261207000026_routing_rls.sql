-- Routing, part 4: who reads what. Agents read their organisation's teams, members, routing
-- state, hours, holidays, SLA policies and breaches (the side panel and the admin view show them);
-- every write goes through the server. The queue, presence, clocks and auto-reply bookkeeping are
-- the server's alone (RLS on, no policy).
alter table public.teams enable row level security;
alter table public.team_members enable row level security;
alter table public.agent_routing enable row level security;
alter table public.agent_presence enable row level security;
alter table public.routing_queue enable row level security;
alter table public.team_hours enable row level security;
alter table public.team_holidays enable row level security;
alter table public.sla_policies enable row level security;
alter table public.sla_clocks enable row level security;
alter table public.sla_breaches enable row level security;
alter table public.auto_replies enable row level security;

create policy "agents read their teams" on public.teams
  for select to authenticated using (organisation_id = public.my_organisation_id());
create policy "agents read their team members" on public.team_members
  for select to authenticated using (organisation_id = public.my_organisation_id());
create policy "agents read their colleagues' routing state" on public.agent_routing
  for select to authenticated using (organisation_id = public.my_organisation_id());
create policy "agents read their teams' hours" on public.team_hours
  for select to authenticated using (organisation_id = public.my_organisation_id());
create policy "agents read their teams' holidays" on public.team_holidays
  for select to authenticated using (organisation_id = public.my_organisation_id());
create policy "agents read their SLA policies" on public.sla_policies
  for select to authenticated using (organisation_id = public.my_organisation_id());
create policy "agents read their SLA breaches" on public.sla_breaches
  for select to authenticated using (organisation_id = public.my_organisation_id());

revoke insert, update, delete, truncate, references, trigger
  on public.teams, public.team_members, public.agent_routing, public.team_hours, public.team_holidays, public.sla_policies, public.sla_breaches
  from anon, authenticated;
revoke all on public.agent_presence, public.routing_queue, public.sla_clocks, public.auto_replies from anon, authenticated;

-- Live for the whole team: teams and members (the admin view), availability and load beside each
-- name, breaches. Conversations (assignee, due time) are in the publication already.
alter publication supabase_realtime add table public.teams, public.team_members, public.agent_routing, public.sla_breaches;
