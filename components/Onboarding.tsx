import { useState, type FormEvent } from 'react';
import { Trans, useTranslation } from 'react-i18next';
import { LanguagePicker } from './LanguagePicker';
import { useStorageItem } from '@/lib/hooks/useStorageItem';
import { describeFailure } from '@/lib/messaging/failures';
import { sendMessage, type Result } from '@/lib/messaging/protocol';
import { isConfigured, parseWorkspaceUrl } from '@/lib/settings';
import { managedWorkspaceItem, settingsItem, updateRequiredItem, workspaceItem } from '@/lib/storage/items';

/**
 * The one thing an agent types to connect: the workspace URL (the server publishes the rest).
 * With `collapseWhenConnected` (the options page), a connected workspace shows as connected, and
 * the field only after *Change workspace*; the side panel's first run always shows the field.
 */
export function WorkspaceForm(props: { onConnected?: () => void; collapseWhenConnected?: boolean }) {
  const { t } = useTranslation('options');
  const workspace = useStorageItem(workspaceItem);
  const managed = useStorageItem(managedWorkspaceItem);
  const [typed, setUrl] = useState('');
  // Set by the organisation's policy: shown, and when locked, not editable.
  const url = managed?.locked ? managed.url : typed || managed?.url || '';
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [connected, setConnected] = useState<string | null>(null);
  const [changing, setChanging] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    // Checked here too, so the agent reads why in their language without a round trip.
    const parsed = parseWorkspaceUrl(url);
    if ('error' in parsed) return setError(describeFailure(t, { code: 'workspaceUrl', problem: parsed.error, text: url.trim() }));
    setBusy(true);
    setError(null);
    const result = await sendMessage('settings:connect', { workspaceUrl: url });
    setBusy(false);
    if ('error' in result) return setError(failureText(t, result));
    setConnected(result.data.workspaceName ?? new URL(result.data.url).host);
    setChanging(false);
    setUrl('');
    props.onConnected?.();
  };
  const connect = (
    <button type="submit" disabled={busy}>
      {t('workspace.connect')}
    </button>
  );
  if (props.collapseWhenConnected && workspace === undefined) return null; // not read yet: no flash of the field
  if (props.collapseWhenConnected && workspace && !changing)
    return (
      <div className="workspace-connected" role="group" aria-labelledby="workspace-heading">
        <h2 id="workspace-heading">{t('workspace.heading')}</h2>
        <div className="connected-row">
          <p role="status">
            <Trans
              t={t}
              i18nKey={workspace.name ? 'workspace.connectedNamed' : 'workspace.connected'}
              values={{ name: workspace.name }}
              components={{
                host: (
                  <strong>
                    <bdi>{new URL(workspace.url).host}</bdi>
                  </strong>
                ),
                hint: <span className="hint" />,
              }}
            />
          </p>
          {managed?.locked ? (
            <p className="hint">{t('workspace.setByOrganisation')}</p>
          ) : (
            <button type="button" onClick={() => setChanging(true)}>
              {t('workspace.change')}
            </button>
          )}
        </div>
      </div>
    );
  return (
    <form aria-label={t('workspace.heading')} onSubmit={(e) => void submit(e)}>
      <h2>{t('workspace.heading')}</h2>
      {workspace && <p className="hint">{t('workspace.connectedTo', { workspace: workspace.name ?? workspace.url })}</p>}
      <label>
        {t('workspace.url')}
        <input
          type="text"
          inputMode="url"
          autoComplete="url"
          placeholder={t('workspace.urlPlaceholder')}
          required
          value={url}
          readOnly={managed?.locked}
          aria-describedby={managed ? 'managed-note' : undefined}
          autoFocus={changing}
          onChange={(e) => setUrl(e.target.value)}
        />
      </label>
      {managed && (
        <p id="managed-note" className="hint">
          {t(managed.locked ? 'workspace.setByOrganisation' : 'workspace.suggestedByOrganisation')}
        </p>
      )}
      {changing ? (
        <div className="workspace-actions">
          {connect}
          <button type="button" onClick={() => setChanging(false)}>
            {t('cancel', { ns: 'common' })}
          </button>
        </div>
      ) : (
        connect
      )}
      {connected && <p role="status">{t('workspace.connectedTo', { workspace: connected })}</p>}
      {error && <p role="alert">{error}</p>}
    </form>
  );
}

export function SignInForm() {
  const { t } = useTranslation('options');
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
    if ('error' in result) setError(failureText(t, result));
  };
  return (
    <form aria-label={t('signIn.heading')} onSubmit={(e) => void submit(e)}>
      <h2>{t('signIn.heading')}</h2>
      <label>
        {t('signIn.email')}
        <input type="email" autoComplete="username" value={email} required onChange={(e) => setEmail(e.target.value)} />
      </label>
      <label>
        {t('signIn.password')}
        <input type="password" autoComplete="current-password" value={password} required onChange={(e) => setPassword(e.target.value)} />
      </label>
      <button type="submit" disabled={busy}>
        {t('signIn.submit')}
      </button>
      {error && <p role="alert">{error}</p>}
    </form>
  );
}

/** The workspace needs a newer extension: say so plainly instead of failing in odd ways. */
export function UpdateNotice() {
  const { t } = useTranslation('options');
  const update = useStorageItem(updateRequiredItem);
  if (!update) return null;
  return (
    <section className="update-required" role="alert">
      <h2>{t('update.heading')}</h2>
      <p>{describeFailure(t, { code: 'updateRequired', minimum: update.minimum, current: update.current })}</p>
    </section>
  );
}

/**
 * What an agent who is not signed in sees in the side panel: the workspace step when the
 * extension is not set up yet, then signing in, right here (no hunting for the options page).
 */
export function FirstRun() {
  const { t } = useTranslation('options');
  const settings = useStorageItem(settingsItem);
  const managed = useStorageItem(managedWorkspaceItem);
  const [changing, setChanging] = useState(false);
  if (!settings) return null;
  const ready = isConfigured(settings) && !changing;
  return (
    <main className="signed-out">
      <h1>{t('product')}</h1>
      <UpdateNotice />
      {ready ? (
        <>
          <p>{t('firstRun.signInPrompt')}</p>
          <SignInForm />
          {!managed?.locked && (
            <button type="button" className="link" onClick={() => setChanging(true)}>
              {t('firstRun.otherWorkspace')}
            </button>
          )}
        </>
      ) : (
        <>
          <p>{t('firstRun.connectPrompt')}</p>
          <WorkspaceForm onConnected={() => setChanging(false)} />
        </>
      )}
      {/* Before anything else can be read: each language is named in itself. */}
      <LanguagePicker />
    </main>
  );
}

/** A failed request's sentence: in the agent's language when the background gave its reason, else as sent (Supabase's or a server's words). */
const failureText = (t: Parameters<typeof describeFailure>[0], result: Extract<Result<unknown>, { error: string }>) =>
  result.reason ? describeFailure(t, result.reason) : result.error;
