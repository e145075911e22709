-- Delivery scope (issue 34, docs/delivery-scope.md), two holes found by its adversarial review
-- (tests/security/delivery-scope.test.ts):
--
-- 1. An unassigned conversation's key is its channel's team's queue, read from `channels`. A
--    conversation created (or unassigned) while an admin gives its channel to another team read the
--    old team, and the channel's rescope (channels_rescope) could not see the row, not yet
--    committed: the conversation kept the old queue's key for good (the old team's agents received
--    it, the new team's never did). Now the row holds the channel row shared until it commits: a
--    change of the channel's team waits for it and then moves it, or it waits for that change and
--    reads the new team. (Conversations are created once per customer and channel; inserting one
--    already takes a key-share lock on its channel for the foreign key.)
-- 2. PostgREST exposes public functions as RPC: the scope functions were callable with the anon
--    key. They reveal nothing through RLS, but clients call only what RLS relies on.

create or replace function public.conversations_scope() returns trigger
language plpgsql as $$
begin
  -- An update that moves neither the assignee nor the channel, and does not set the key itself,
  -- keeps the key without a lookup.
  if tg_op = 'UPDATE' and new.assignee_id is not distinct from old.assignee_id and new.channel_id = old.channel_id
     and new.scope_key is not distinct from old.scope_key and old.scope_key is not null then
    new.left_scope_key := null;
    return new;
  end if;
  if new.assignee_id is null then
    perform 1 from public.channels ch where ch.id = new.channel_id for share;
  end if;
  -- Read after the lock (a statement of its own, so a change of the team committed meanwhile is seen).
  new.scope_key := public.conversation_scope_key(new.assignee_id, new.channel_id, new.organisation_id);
  new.left_scope_key := case when tg_op = 'UPDATE' and new.scope_key is distinct from old.scope_key then old.scope_key end;
  return new;
end
$$;

revoke execute on function public.conversation_scope_key(uuid, uuid, uuid), public.conversations_scope(), public.messages_scope(),
  public.channels_rescope() from public, anon, authenticated;
