import { useState, type FormEvent } from 'react';
import { useStorageItem } from '@/lib/hooks/useStorageItem';
import { sendMessage } from '@/lib/messaging/protocol';
import { isConfigured } from '@/lib/settings';
import { managedWorkspaceItem, settingsItem, updateRequiredItem, workspaceItem } from '@/lib/storage/items';

/**
 * The one thing an agent types to connect: the workspace URL (the server publishes the rest).
 * With `collapseWhenConnected` (the options page), a connected workspace shows as connected, and
 * the field only after *Change workspace*; the side panel's first run always shows the field.
 */
export function WorkspaceForm(props: { onConnected?: () => void; collapseWhenConnected?: boolean }) {
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
    setBusy(true);
    setError(null);
    const result = await sendMessage('settings:connect', { workspaceUrl: url });
    setBusy(false);
    if ('error' in result) return setError(result.error);
    setConnected(result.data.workspaceName ?? new URL(result.data.url).host);
    setChanging(false);
    setUrl('');
    props.onConnected?.();
  };
  const connect = (
    <button type="submit" disabled={busy}>
      Connect
    </button>
  );
  if (props.collapseWhenConnected && workspace === undefined) return null; // not read yet: no flash of the field
  if (props.collapseWhenConnected && workspace && !changing)
    return (
      <div className="workspace-connected" role="group" aria-labelledby="workspace-heading">
        <h2 id="workspace-heading">Workspace</h2>
        <div className="connected-row">
          <p role="status">
            Connected to <strong>{new URL(workspace.url).host}</strong>
            {workspace.name && <span className="hint"> ({workspace.name})</span>}
          </p>
          {managed?.locked ? (
            <p className="hint">Set by your organisation.</p>
          ) : (
            <button type="button" onClick={() => setChanging(true)}>
              Change workspace
            </button>
          )}
        </div>
      </div>
    );
  return (
    <form aria-label="Workspace" onSubmit={(e) => void submit(e)}>
      <h2>Workspace</h2>
      {workspace && <p className="hint">Connected to {workspace.name ?? workspace.url}.</p>}
      <label>
        Workspace URL
        <input
          type="text"
          inputMode="url"
          autoComplete="url"
          placeholder="https://switchboard.example.com"
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
          {managed.locked ? 'Set by your organisation.' : 'Suggested by your organisation.'}
        </p>
      )}
      {changing ? (
        <div className="workspace-actions">
          {connect}
          <button type="button" onClick={() => setChanging(false)}>
            Cancel
          </button>
        </div>
      ) : (
        connect
      )}
      {connected && <p role="status">Connected to {connected}.</p>}
      {error && <p role="alert">{error}</p>}
    </form>
  );
}

export function SignInForm() {
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

/** The workspace needs a newer extension: say so plainly instead of failing in odd ways. */
export function UpdateNotice() {
  const update = useStorageItem(updateRequiredItem);
  if (!update) return null;
  return (
    <section className="update-required" role="alert">
      <h2>Update Switchboard</h2>
      <p>{update.message}</p>
    </section>
  );
}

/**
 * What an agent who is not signed in sees in the side panel: the workspace step when the
 * extension is not set up yet, then signing in, right here (no hunting for the options page).
 */
export function FirstRun() {
  const settings = useStorageItem(settingsItem);
  const managed = useStorageItem(managedWorkspaceItem);
  const [changing, setChanging] = useState(false);
  if (!settings) return null;
  const ready = isConfigured(settings) && !changing;
  return (
    <main className="signed-out">
      <h1>Switchboard</h1>
      <UpdateNotice />
      {ready ? (
        <>
          <p>Sign in to see your WhatsApp conversations.</p>
          <SignInForm />
          {!managed?.locked && (
            <button type="button" className="link" onClick={() => setChanging(true)}>
              Use another workspace
            </button>
          )}
        </>
      ) : (
        <>
          <p>Connect to your team’s workspace: enter the URL your admin gave you.</p>
          <WorkspaceForm onConnected={() => setChanging(false)} />
        </>
      )}
    </main>
  );
}
