-- Outbound replies: who sent them, and statuses that only move forward.

-- Twilio's callbacks arrive in any order: a late "sent" must never overwrite "read".
-- failed/undelivered rank above sent (terminal for a message that never arrived).
create function public.message_status_rank(status text) returns int
language sql immutable parallel safe as $$
  select case status
    when 'accepted' then 0 when 'queued' then 1 when 'sending' then 2 when 'sent' then 3
    when 'failed' then 4 when 'undelivered' then 4 when 'delivered' then 5 when 'read' then 6
    when 'received' then 6 else -1 end
$$;
