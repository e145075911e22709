import { useEffect, useState, type FormEvent } from 'react';
import { AdminView } from './AdminView';
import { OverlaySites } from './OverlaySites';
import { Reports } from './reports/Reports';
import { SignInForm, UpdateNotice, WorkspaceForm } from './Onboarding';
import { useStorageItem } from '@/lib/hooks/useStorageItem';
import { sendMessage } from '@/lib/messaging/protocol';
import type { NotificationSettings } from '@/lib/notifications/rules';
import { type Settings } from '@/lib/settings';
import { agentItem, managedWorkspaceItem, notificationSettingsItem, settingsItem } from '@/lib/storage/items';

/** The options page's sections, for its menu; the admin's only for admins. */
const SECTIONS: Array<{ id: string; label: string; admin?: true; reports?: true }> = [
  { id: 'account', label: 'Account' },
  { id: 'workspace', label: 'Workspace' },
  { id: 'notifications', label: 'Notifications' },
  { id: 'crm-badges', label: 'CRM badges' },
  { id: 'reports', label: 'Reports', reports: true },
  { id: 'team', label: 'Team', admin: true },
  { id: 'invitations', label: 'Invitations', admin: true },
  { id: 'canned-replies', label: 'Canned replies', admin: true },
  { id: 'channels', label: 'Channels', admin: true },
  { id: 'crm', label: 'CRM', admin: true },
  { id: 'audit-log', label: 'Audit log', admin: true },
];

/**
 * Options page: one column of sections with a menu. Who is signed in comes first (or signing in);
 * then where to connect, notifications, CRM badges and, for admins, the admin view.
 */
export function OptionsApp() {
  const settings = useStorageItem(settingsItem);
  const agent = useStorageItem(agentItem);
  const managed = useStorageItem(managedWorkspaceItem);
  const workspace = (
    <section id="workspace" className="card" aria-label="Workspace settings">
      <WorkspaceForm collapseWhenConnected />
      {settings && !managed?.locked && (
        <details className="advanced">
          <summary>Advanced: enter the server and Supabase yourself</summary>
          <SettingsForm settings={settings} />
        </details>
      )}
    </section>
  );
  const sections = SECTIONS.filter((s) => (!s.admin || agent?.role === 'admin') && (!s.reports || agent?.role === 'admin' || agent?.role === 'lead'));
  return (
    <main className="options">
      <header className="options-header">
        <h1>Switchboard settings</h1>
        <nav className="options-nav" aria-label="Sections">
          <ul>
            {sections.map((s) => (
              <li key={s.id}>
                <a href={`#${s.id}`}>{s.label}</a>
              </li>
            ))}
          </ul>
        </nav>
      </header>
      <UpdateNotice />
      {agent === undefined ? null : agent ? (
        <>
          <section id="account" className="card" aria-labelledby="account-heading">
            <h2 id="account-heading">Account</h2>
            <div className="account">
              <p>
                Signed in as <strong>{agent.displayName}</strong> ({agent.email})
              </p>
              <button type="button" onClick={() => void sendMessage('auth:signOut')}>
                Sign out
              </button>
            </div>
          </section>
          {workspace}
        </>
      ) : (
        <>
          {/* Not signed in: where to connect comes before signing in there. */}
          {workspace}
          <section id="account" className="card" aria-label="Account">
            <SignInForm />
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
  const [draft, setDraft] = useState(settings);
  const [saved, setSaved] = useState(false);
  useEffect(() => setDraft(settings), [settings]);
  const field = (key: keyof Settings, label: string, type = 'url') => (
    <label>
      {label}
      <input type={type} value={draft[key]} required onChange={(e) => setDraft({ ...draft, [key]: e.target.value.trim() })} />
    </label>
  );
  const save = async (e: FormEvent) => {
    e.preventDefault();
    await settingsItem.setValue(draft);
    setSaved(true);
  };
  return (
    <form aria-label="Connection" onSubmit={(e) => void save(e)}>
      <h2>Connection</h2>
      {field('serverUrl', 'Server URL')}
      {field('supabaseUrl', 'Supabase URL')}
      {field('supabaseAnonKey', 'Supabase anon key', 'text')}
      <button type="submit">Save</button>
      {saved && <span role="status"> Saved.</span>}
    </form>
  );
}

/** What notifies (by whose conversation), with a sound or not, quiet hours, and what the toolbar icon counts. Saved as it changes. */
function NotificationSettingsForm() {
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
      <h2 id="notifications-heading">Notifications</h2>
      <label className="checkbox">
        <input type="checkbox" checked={settings.enabled} onChange={(e) => save({ enabled: e.target.checked })} />
        Show desktop notifications
      </label>
      <fieldset disabled={!settings.enabled}>
        <legend>Notify me about conversations</legend>
        {scope('mine', 'Assigned to me (and when one is assigned to me)')}
        {scope('unassigned', 'Unassigned')}
        {scope('others', 'Assigned to colleagues')}
      </fieldset>
      <label className="checkbox">
        <input type="checkbox" checked={settings.sound} disabled={!settings.enabled} onChange={(e) => save({ sound: e.target.checked })} />
        Play a sound
      </label>
      <fieldset disabled={!settings.enabled} className="quiet-hours">
        <legend>Do not disturb</legend>
        <label className="checkbox">
          <input type="checkbox" checked={quiet.enabled} onChange={(e) => save({ quietHours: { ...quiet, enabled: e.target.checked } })} />
          No notifications or sounds between
        </label>
        <label>
          From
          <input type="time" value={quiet.from} required onChange={(e) => e.target.value && save({ quietHours: { ...quiet, from: e.target.value } })} />
        </label>
        <label>
          Until
          <input type="time" value={quiet.to} required onChange={(e) => e.target.value && save({ quietHours: { ...quiet, to: e.target.value } })} />
        </label>
      </fieldset>
      <fieldset>
        <legend>The toolbar icon counts unread messages in</legend>
        <label className="checkbox">
          <input type="radio" name="badge" checked={settings.badge === 'mine+unassigned'} onChange={() => save({ badge: 'mine+unassigned' })} />
          My and unassigned open conversations
        </label>
        <label className="checkbox">
          <input type="radio" name="badge" checked={settings.badge === 'all'} onChange={() => save({ badge: 'all' })} />
          All open conversations
        </label>
      </fieldset>
    </section>
  );
}
