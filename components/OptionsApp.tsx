import type { ParseKeys } from 'i18next';
import { useEffect, useState, type FormEvent } from 'react';
import { Trans, useTranslation } from 'react-i18next';
import { AdminView } from './AdminView';
import { LanguagePicker } from './LanguagePicker';
import { OverlaySites } from './OverlaySites';
import { Reports } from './reports/Reports';
import { SignInForm, UpdateNotice, WorkspaceForm } from './Onboarding';
import { useStorageItem } from '@/lib/hooks/useStorageItem';
import { sendMessage } from '@/lib/messaging/protocol';
import type { NotificationSettings } from '@/lib/notifications/rules';
import { type Settings } from '@/lib/settings';
import { agentItem, managedWorkspaceItem, notificationSettingsItem, settingsItem } from '@/lib/storage/items';

/** The options page's sections, for its menu; the admin's only for admins. */
const SECTIONS: Array<{ id: string; label: ParseKeys<'options'>; admin?: true; reports?: true }> = [
  { id: 'account', label: 'sections.account' },
  { id: 'workspace', label: 'sections.workspace' },
  { id: 'notifications', label: 'sections.notifications' },
  { id: 'crm-badges', label: 'sections.crmBadges' },
  { id: 'reports', label: 'sections.reports', reports: true },
  { id: 'team', label: 'sections.team', admin: true },
  { id: 'invitations', label: 'sections.invitations', admin: true },
  { id: 'canned-replies', label: 'sections.cannedReplies', admin: true },
  { id: 'channels', label: 'sections.channels', admin: true },
  { id: 'crm', label: 'sections.crm', admin: true },
  { id: 'audit-log', label: 'sections.auditLog', admin: true },
];

/**
 * Options page: one column of sections with a menu. Who is signed in comes first (or signing in);
 * then where to connect, notifications, CRM badges and, for admins, the admin view. The language
 * is chosen in the account section, signed in or not (each language is named in itself).
 */
export function OptionsApp() {
  const { t } = useTranslation('options');
  const settings = useStorageItem(settingsItem);
  const agent = useStorageItem(agentItem);
  const managed = useStorageItem(managedWorkspaceItem);
  const workspace = (
    <section id="workspace" className="card" aria-label={t('workspace.settings')}>
      <WorkspaceForm collapseWhenConnected />
      {settings && !managed?.locked && (
        <details className="advanced">
          <summary>{t('workspace.advanced')}</summary>
          <SettingsForm settings={settings} />
        </details>
      )}
    </section>
  );
  const sections = SECTIONS.filter((s) => (!s.admin || agent?.role === 'admin') && (!s.reports || agent?.role === 'admin' || agent?.role === 'lead'));
  return (
    <main className="options">
      <header className="options-header">
        <h1>{t('title')}</h1>
        <nav className="options-nav" aria-label={t('sectionsMenu')}>
          <ul>
            {sections.map((s) => (
              <li key={s.id}>
                <a href={`#${s.id}`}>{t(s.label)}</a>
              </li>
            ))}
          </ul>
        </nav>
      </header>
      <UpdateNotice />
      {agent === undefined ? null : agent ? (
        <>
          <section id="account" className="card" aria-labelledby="account-heading">
            <h2 id="account-heading">{t('sections.account')}</h2>
            <div className="account">
              <p>
                {/* The name is the component's child, not a value: it is never read as markup; <bdi> keeps its own direction. */}
                <Trans
                  t={t}
                  i18nKey="account.signedInAs"
                  values={{ email: agent.email }}
                  components={{
                    name: (
                      <strong>
                        <bdi>{agent.displayName}</bdi>
                      </strong>
                    ),
                  }}
                />
              </p>
              <button type="button" onClick={() => void sendMessage('auth:signOut')}>
                {t('account.signOut')}
              </button>
            </div>
            <LanguagePicker />
          </section>
          {workspace}
        </>
      ) : (
        <>
          {/* Not signed in: where to connect comes before signing in there. */}
          {workspace}
          <section id="account" className="card" aria-label={t('sections.account')}>
            <SignInForm />
            <LanguagePicker />
          </section>
        </>
      )}
      <NotificationSettingsForm />
      <OverlaySites />
      <Reports />
      <AdminView />
    </main>
  );
}

function SettingsForm({ settings }: { settings: Settings }) {
  const { t } = useTranslation('options');
  const [draft, setDraft] = useState(settings);
  const [saved, setSaved] = useState(false);
  useEffect(() => setDraft(settings), [settings]);
  // The anon key is a token, the others URLs.
  const field = (key: keyof Settings, label: string) => (
    <label>
      {label}
      <input
        type={key === 'supabaseAnonKey' ? 'text' : 'url'}
        value={draft[key]}
        required
        onChange={(e) => setDraft({ ...draft, [key]: e.target.value.trim() })}
      />
    </label>
  );
  const save = async (e: FormEvent) => {
    e.preventDefault();
    await settingsItem.setValue(draft);
    setSaved(true);
  };
  return (
    <form aria-label={t('connection.heading')} onSubmit={(e) => void save(e)}>
      <h2>{t('connection.heading')}</h2>
      {field('serverUrl', t('connection.serverUrl'))}
      {field('supabaseUrl', t('connection.supabaseUrl'))}
      {field('supabaseAnonKey', t('connection.supabaseAnonKey'))}
      <button type="submit">{t('save', { ns: 'common' })}</button>
      {saved && <span role="status"> {t('connection.saved')}</span>}
    </form>
  );
}

/** What notifies (by whose conversation), with a sound or not, quiet hours, and what the toolbar icon counts. Saved as it changes. */
function NotificationSettingsForm() {
  const { t } = useTranslation('options', { keyPrefix: 'notifications' });
  const stored = useStorageItem(notificationSettingsItem);
  // Shown as changed at once (storage answers a moment later, and another device may change it too).
  const [settings, setSettings] = useState(stored);
  useEffect(() => setSettings(stored), [stored]);
  if (!settings) return null;
  const save = (change: Partial<NotificationSettings>) => {
    const next = { ...settings, ...change };
    setSettings(next);
    void notificationSettingsItem.setValue(next);
  };
  const scope = (key: keyof NotificationSettings['scope'], label: string) => (
    <label className="checkbox">
      <input
        type="checkbox"
        checked={settings.scope[key]}
        disabled={!settings.enabled}
        onChange={(e) => save({ scope: { ...settings.scope, [key]: e.target.checked } })}
      />
      {label}
    </label>
  );
  const quiet = settings.quietHours;
  return (
    <section id="notifications" className="card" aria-labelledby="notifications-heading">
      <h2 id="notifications-heading">{t('heading')}</h2>
      <label className="checkbox">
        <input type="checkbox" checked={settings.enabled} onChange={(e) => save({ enabled: e.target.checked })} />
        {t('enabled')}
      </label>
      <fieldset disabled={!settings.enabled}>
        <legend>{t('scope.legend')}</legend>
        {scope('mine', t('scope.mine'))}
        {scope('unassigned', t('scope.unassigned'))}
        {scope('others', t('scope.others'))}
      </fieldset>
      <label className="checkbox">
        <input type="checkbox" checked={settings.sound} disabled={!settings.enabled} onChange={(e) => save({ sound: e.target.checked })} />
        {t('sound')}
      </label>
      <fieldset disabled={!settings.enabled} className="quiet-hours">
        <legend>{t('quiet.legend')}</legend>
        <label className="checkbox">
          <input type="checkbox" checked={quiet.enabled} onChange={(e) => save({ quietHours: { ...quiet, enabled: e.target.checked } })} />
          {t('quiet.enabled')}
        </label>
        <label>
          {t('quiet.from')}
          <input type="time" value={quiet.from} required onChange={(e) => e.target.value && save({ quietHours: { ...quiet, from: e.target.value } })} />
        </label>
        <label>
          {t('quiet.until')}
          <input type="time" value={quiet.to} required onChange={(e) => e.target.value && save({ quietHours: { ...quiet, to: e.target.value } })} />
        </label>
      </fieldset>
      <fieldset>
        <legend>{t('badge.legend')}</legend>
        <label className="checkbox">
          <input type="radio" name="badge" checked={settings.badge === 'mine+unassigned'} onChange={() => save({ badge: 'mine+unassigned' })} />
          {t('badge.mineAndUnassigned')}
        </label>
        <label className="checkbox">
          <input type="radio" name="badge" checked={settings.badge === 'all'} onChange={() => save({ badge: 'all' })} />
          {t('badge.all')}
        </label>
      </fieldset>
    </section>
  );
}
