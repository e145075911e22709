-- Replies go out through a durable outbox: a reply is stored (`accepted`) before Twilio hears of
-- it, then a sender claims it, calls Twilio once, and records the MessageSid. A rate-limited send
-- waits (`next_attempt_at`) and is retried; a claim whose outcome is unknown (the server stopped
-- during the call) is never resent blindly.
alter table public.messages
  add column send_attempts integer not null default 0,
  add column next_attempt_at timestamptz,
  add column send_claimed_at timestamptz,
  -- An approved WhatsApp template (Twilio Content API) instead of free-form text.
  add column content_sid text check (content_sid ~ '^HX[0-9a-f]{32}$'),
  add column content_variables jsonb;

create index messages_outbox_idx on public.messages (next_attempt_at nulls first, created_at)
  where direction = 'outbound' and status = 'accepted';
