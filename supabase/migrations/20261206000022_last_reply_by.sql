-- Who waits on whom, in the list (issue 31): the agent of a conversation's latest reply, so the
-- preview of an outgoing last message says "You:" or the colleague's name. Written by each reply
-- together with last_message_at; the last message is outgoing while last_message_at is later than
-- last_inbound_at. A removed agent's replies keep no name (as messages.sent_by).
alter table public.conversations add column last_reply_by uuid references public.agents (id) on delete set null;

update public.conversations c
   set last_reply_by = (select m.sent_by from public.messages m
                         where m.conversation_id = c.id and m.direction = 'outbound'
                         order by m.created_at desc, m.id desc limit 1)
 where exists (select 1 from public.messages m where m.conversation_id = c.id and m.direction = 'outbound');
