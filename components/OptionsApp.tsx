import { useEffect, useState, type FormEvent } from 'react';
import { CrmSites } from './CrmSites';
import { useStorageItem } from '@/lib/hooks/useStorageItem';
import { sendMessage } from '@/lib/messaging/protocol';
import { type Settings } from '@/lib/settings';
import { agentItem, notificationSettingsItem, settingsItem } from '@/lib/storage/items';

/** Options page: where to connect, and signing in and out. */
export function OptionsApp() {
  const settings = useStorageItem(settingsItem);
  const agent = useStorageItem(agentItem);
  return (
    <main>
      <h1>Switchboard</h1>
      {settings && <SettingsForm settings={settings} />}
      <NotificationsToggle />
      <CrmSites />
      {agent === undefined ? null : agent ? (
        <section aria-label="Account">
          <p>
            Signed in as <strong>{agent.displayName}</strong> ({agent.email})
          </p>
          <button type="button" onClick={() => void sendMessage('auth:signOut')}>
            Sign out
          </button>
        </section>
      ) : (
        <SignInForm />
      )}
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

function NotificationsToggle() {
  const settings = useStorageItem(notificationSettingsItem);
  if (!settings) return null;
  return (
    <label className="checkbox">
      <input type="checkbox" checked={settings.muted} onChange={(e) => void notificationSettingsItem.setValue({ muted: e.target.checked })} />
      Mute desktop notifications
    </label>
  );
}

function SignInForm() {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const result = await sendMessage('auth:signIn', { email, password });
    setBusy(false);
    if ('error' in result) setError(result.error);
  };
  return (
    <form aria-label="Sign in" onSubmit={(e) => void submit(e)}>
      <h2>Sign in</h2>
      <label>
        Email
        <input type="email" autoComplete="username" value={email} required onChange={(e) => setEmail(e.target.value)} />
      </label>
      <label>
        Password
        <input type="password" autoComplete="current-password" value={password} required onChange={(e) => setPassword(e.target.value)} />
      </label>
      <button type="submit" disabled={busy}>
        Sign in
      </button>
      {error && <p role="alert">{error}</p>}
    </form>
  );
}
