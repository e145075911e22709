import { forwardRef, useId, useImperativeHandle, useLayoutEffect, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { AgentConversationView, ConversationStatus } from '@/lib/contract/models';
import { snoozePresets } from '@/lib/inbox/view';
import { useFormat } from '@/lib/hooks/useFormat';

/** What the side panel's keys can ask of the thread's status actions. */
export interface StatusActionsHandle {
  /** E: resolve an open or snoozed conversation, reopen a resolved one. */
  toggleResolved(): void;
  /** Z: open the snooze choices, focus on the first. */
  openSnooze(): void;
  /** U: mark the conversation unread. */
  markUnread(): void;
}

/** `datetime-local` in minutes ("YYYY-MM-DDTHH:MM"): a snooze is picked to the minute, not the second. */
const localInput = (d: Date) => {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
};

/**
 * The thread's status: Resolve (or Reopen), Unsnooze, Snooze (presets in the agent's time zone, or a date
 * and time), Mark unread. What went wrong is said in words (e.g. the customer wrote meanwhile).
 */
export const StatusActions = forwardRef<
  StatusActionsHandle,
  {
    conversation: AgentConversationView;
    /** Resolves to an error sentence, or null when done. */
    onStatus: (status: ConversationStatus, snoozedUntil: string | null) => Promise<string | null>;
    onMarkUnread: () => Promise<string | null>;
  }
>(function StatusActions({ conversation: c, onStatus, onMarkUnread }, ref) {
  const { t } = useTranslation('inbox');
  const { whenLabel } = useFormat();
  const [snoozing, setSnoozing] = useState(false);
  const [custom, setCustom] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const firstChoice = useRef<HTMLButtonElement>(null);
  const toggle = useRef<HTMLButtonElement>(null);
  const menuId = useId();
  const customId = useId();

  const run = async (action: () => Promise<string | null>) => {
    setBusy(true);
    setError(null);
    const failed = await action().catch((e: Error) => e.message);
    setBusy(false);
    setError(failed);
    if (!failed) setSnoozing(false);
  };
  const resolveOrReopen = () => void run(() => onStatus(c.status === 'resolved' ? 'open' : 'resolved', null));
  const snoozeUntil = (until: Date) => void run(() => onStatus('snoozed', until.toISOString()));
  const openSnooze = () => setSnoozing(true);
  // Focus into the choices as they appear, before the next key: an Escape typed at once closes
  // them rather than reaching the panel (where it would leave the thread).
  useLayoutEffect(() => {
    if (snoozing) firstChoice.current?.focus();
  }, [snoozing]);
  useImperativeHandle(ref, () => ({ toggleResolved: resolveOrReopen, openSnooze, markUnread: () => void run(onMarkUnread) }));

  const submitCustom = (e: FormEvent) => {
    e.preventDefault();
    const until = new Date(custom);
    if (Number.isNaN(until.getTime()) || until.getTime() <= Date.now()) return setError(t('snooze.pickFuture'));
    snoozeUntil(until);
  };

  return (
    <div className="status-actions">
      {c.status !== 'open' && (
        <span className="status-label" data-status={c.status}>
          {c.status === 'resolved' ? t('status.resolved') : c.snoozedUntil ? t('list.snoozedUntil', { when: whenLabel(c.snoozedUntil) }) : t('status.snoozed')}
        </span>
      )}
      {c.status === 'snoozed' && (
        <button type="button" disabled={busy} onClick={() => void run(() => onStatus('open', null))}>
          {t('actions.unsnooze')}
        </button>
      )}
      <button type="button" disabled={busy} onClick={resolveOrReopen} aria-keyshortcuts="E">
        {c.status === 'resolved' ? t('actions.reopen') : t('actions.resolve')}
      </button>
      <button
        ref={toggle}
        type="button"
        disabled={busy}
        aria-expanded={snoozing}
        aria-controls={menuId}
        aria-keyshortcuts="Z"
        onClick={() => (snoozing ? setSnoozing(false) : openSnooze())}
      >
        {t('actions.snooze')}
      </button>
      <button type="button" disabled={busy} onClick={() => void run(onMarkUnread)} aria-keyshortcuts="U">
        {t('actions.markUnread')}
      </button>
      {snoozing && (
        <div
          id={menuId}
          className="snooze-menu"
          role="group"
          aria-label={t('snooze.until')}
          onKeyDown={(e) => {
            if (e.key !== 'Escape') return;
            e.stopPropagation(); // closes the menu, not the thread
            setSnoozing(false);
            toggle.current?.focus();
          }}
        >
          {snoozePresets(new Date()).map((p, i) => (
            <button key={p.id} ref={i === 0 ? firstChoice : undefined} type="button" disabled={busy} onClick={() => snoozeUntil(p.until)}>
              {t(`snooze.preset.${p.id}`)} <span className="when">{whenLabel(p.until.toISOString())}</span>
            </button>
          ))}
          <form className="snooze-custom" onSubmit={submitCustom}>
            <label htmlFor={customId}>{t('snooze.dateTime')}</label>
            <input
              id={customId}
              type="datetime-local"
              step="60"
              min={localInput(new Date())}
              value={custom}
              required
              onChange={(e) => setCustom(e.target.value)}
            />
            <button type="submit" disabled={busy}>
              {t('actions.snooze')}
            </button>
          </form>
        </div>
      )}
      {error && (
        <p className="status-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
});
