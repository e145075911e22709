-- An agent moved to another organisation (an operator's fix: the wrong company's invitation):
-- their teams, routing state and presence belonged to the old organisation, so they go, and the
-- agent starts in the new one as a newly made agent does (available, no load, in no team). Without
-- this, the move is refused by the (agent, organisation) foreign keys of routing's tables.
create function public.agent_routing_moved() returns trigger language plpgsql as $$
begin
  delete from public.team_members where agent_id = old.id;
  delete from public.agent_routing where agent_id = old.id;
  delete from public.agent_presence where agent_id = old.id;
  return new;
end
$$;
create trigger agents_routing_moved before update of organisation_id on public.agents
  for each row when (old.organisation_id is distinct from new.organisation_id)
  execute function public.agent_routing_moved();
create trigger agents_routing_moved_init after update of organisation_id on public.agents
  for each row when (old.organisation_id is distinct from new.organisation_id)
  execute function public.agent_routing_init();

revoke execute on function public.agent_routing_moved() from public, anon, authenticated;
