-- SLA met % in reports (docs/reports.md, "SLA"; issue 35): a report reads the organisation's clocks
-- of its period only, those stopped in it by stop time, those still running past due by due time.
create index sla_clocks_org_stopped_idx on public.sla_clocks (organisation_id, stopped_at)
  include (kind, team_id, due_at) where stopped_at is not null and due_at is not null;
create index sla_clocks_org_due_idx on public.sla_clocks (organisation_id, due_at)
  include (kind, team_id, stopped_at) where due_at is not null;
