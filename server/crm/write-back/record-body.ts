import escapeHtml from 'escape-html';
import type pg from 'pg';
import type { StoredMediaItem } from '../../../lib/contract/models';

/** What a record covers: a conversation's window, or one message (or note). */
export interface RecordSpan {
  conversation_id: string;
  window_start: Date;
  window_end: Date;
  message_id: string | null;
}

const LABEL: Record<string, string> = { inbound: 'Customer', outbound: 'Agent', note: 'Private note' };

/**
 * The record's text: every message of the window (or the one message, or the one note), files as
 * links that work from the CRM; as HTML (customer text escaped) and as plain text.
 */
export async function recordBody(
  db: pg.Pool,
  row: RecordSpan,
  mediaLink: (messageId: string, index: number) => string,
): Promise<{ html: string; text: string }> {
  const { rows } = await db.query<{ id: string; direction: string; body: string; media: StoredMediaItem[] | null; created_at: Date; agent: string | null }>(
    `select m.id, m.direction, m.body, m.media, m.created_at, a.display_name as agent
       from public.messages m left join public.agents a on a.id = m.sent_by
      where m.conversation_id = $1 and m.direction in ('inbound', 'outbound', 'note')
        and (($3::uuid is not null and m.id = $3) or ($3::uuid is null and m.direction <> 'note' and m.created_at >= $2 and m.created_at < $4))
      order by m.created_at limit 1000`,
    [row.conversation_id, row.window_start, row.message_id, row.window_end],
  );
  const lines = rows.map((m) => {
    const who = m.direction === 'inbound' ? LABEL.inbound : `${LABEL[m.direction]}${m.agent ? ` (${m.agent})` : ''}`;
    const files = (m.media ?? []).map((f, i) => {
      // An agent's file sent by public URL is linked as it was sent; an upload, or a customer's file at Twilio, through our signed link.
      const href = f.uploadId || f.sid ? mediaLink(m.id, i) : m.direction === 'outbound' ? f.url : undefined;
      return { name: f.name ?? f.contentType ?? 'file', href: href && /^https?:\/\//.test(href) ? href : null };
    });
    return { who, when: `${m.created_at.toISOString().slice(0, 16).replace('T', ' ')} UTC`, body: m.body ?? '', files };
  });
  return {
    html: lines
      .map((l) => {
        const files = l.files.map((f) => (f.href ? `<a href="${escapeHtml(f.href)}">${escapeHtml(f.name)}</a>` : `[${escapeHtml(f.name)}]`));
        return `<p><b>${escapeHtml(l.who)}</b> ${escapeHtml(l.when)}<br>${[escapeHtml(l.body), ...files].filter(Boolean).join(' ')}</p>`;
      })
      .join(''),
    text: lines
      .map((l) => [`${l.who}, ${l.when}:`, l.body, ...l.files.map((f) => (f.href ? `${f.name}: ${f.href}` : `[${f.name}]`))].filter(Boolean).join('\n'))
      .join('\n\n'),
  };
}
