-- The live floor view (docs/reports.md, "Floor"; issue 35): what it counts now, each through an
-- index that leads with the organisation, so a floor reads the organisation's current rows only.

-- Conversations not resolved, per channel (open, unassigned, snoozed), read from the index alone.
create index conversations_floor_idx on public.conversations (organisation_id, channel_id) include (status, assignee_id) where status <> 'resolved';

-- Customers waiting for an answer: the oldest per channel.
create index report_conversation_state_waiting_idx on public.report_conversation_state (organisation_id, waiting_since)
  include (channel_id) where waiting_since is not null;

-- Running SLA clocks by due time (breached now, due soon).
create index sla_clocks_org_running_idx on public.sla_clocks (organisation_id, due_at) include (team_id) where stopped_at is null;
