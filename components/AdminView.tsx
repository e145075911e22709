import { useEffect, useId, useState, type FormEvent } from 'react';
import { auditSentence } from '@/lib/admin/audit';
import type { CreateInviteResponse, CrmCheckResult, CrmStatus, CrmVendor, WaitingNumber } from '@/lib/contract/api';
import type { ZohoDataCentre } from '@/lib/contract/crm-places';
import type { AgentRole } from '@/lib/contract/models';
import { useStorageItem } from '@/lib/hooks/useStorageItem';
import { sendMessage, type Result } from '@/lib/messaging/protocol';
import { adminItem, agentItem } from '@/lib/storage/items';
import { CopyField } from './CopyField';
import { shortTime } from './format';

/** Runs an admin request and keeps its error to show (the data itself comes back through `adminItem`). */
function useAdminAction() {
  const [error, setError] = useState<string | null>(null);
  const run = async <T,>(request: Promise<Result<T>>): Promise<T | null> => {
    setError(null);
    const r = await request;
    if ('error' in r) {
      setError(r.error);
      return null;
    }
    return r.data;
  };
  return { error, run };
}

/**
 * The admin view (admins only; the server refuses agents anyway): the team with roles, invitations,
 * canned replies, channels with the webhook URL for Twilio, numbers with messages waiting to be set
 * up, and the audit log. Live: another admin's change, or a message for a number not set up,
 * shows here without reloading.
 */
export function AdminView() {
  const me = useStorageItem(agentItem);
  const data = useStorageItem(adminItem);
  const { error, run } = useAdminAction();
  const [editing, setEditing] = useState<{ shortcut: string; body: string } | null>(null);
  useEffect(() => {
    if (me?.role === 'admin') void sendMessage('admin:refresh');
  }, [me?.role]);
  if (me?.role !== 'admin') return null;
  if (!data) return <p>Loading the admin view…</p>;
  const openInvites = data.invites.filter((i) => !i.acceptedAt && Date.parse(i.expiresAt) > Date.now());
  return (
    <section className="admin" aria-labelledby="admin-heading">
      <h2 id="admin-heading" className="admin-heading">
        Team administration
      </h2>
      {error && <p role="alert">{error}</p>}
      <section id="team" className="card" aria-labelledby="team-heading">
        <h3 id="team-heading">Team</h3>
        <table aria-label="Agents">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Email</th>
              <th scope="col">Role</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {data.members.map((m) => (
              <tr key={m.id}>
                <td>{m.displayName}</td>
                <td>{m.email}</td>
                <td>
                  <select
                    aria-label={`Role of ${m.displayName}`}
                    value={m.role}
                    onChange={(e) => void run(sendMessage('admin:setRole', { agentId: m.id, role: e.target.value as AgentRole }))}
                  >
                    <option value="agent">Agent</option>
                    <option value="admin">Admin</option>
                  </select>
                </td>
                <td>
                  {m.id !== me.id && (
                    <button
                      type="button"
                      onClick={() => confirm(`Remove ${m.displayName} from the team?`) && void run(sendMessage('admin:removeAgent', { agentId: m.id }))}
                    >
                      Remove {m.displayName}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <section id="invitations" className="card" aria-labelledby="invitations-heading">
        <h3 id="invitations-heading">Invitations</h3>
        <InviteForm />
        {openInvites.length > 0 && (
          <>
            <h4>Open invitations</h4>
            <ul aria-label="Open invitations">
              {openInvites.map((i) => (
                <li key={i.id}>
                  {i.email} ({i.role}
                  {i.delivery === 'email' ? ', e-mailed' : ''}), until {new Date(i.expiresAt).toLocaleString()}{' '}
                  <button type="button" onClick={() => void run(sendMessage('admin:revokeInvite', { inviteId: i.id }))}>
                    Revoke
                  </button>
                </li>
              ))}
            </ul>
          </>
        )}
      </section>
      <section id="canned-replies" className="card" aria-labelledby="canned-heading">
        <h3 id="canned-heading">Canned replies</h3>
        {data.cannedReplies.length === 0 && <p className="hint">None yet. Agents type / and the shortcut in a reply to insert one.</p>}
        <ul aria-label="Canned replies" className="canned-list">
          {data.cannedReplies.map((c) => (
            <li key={c.id}>
              <code>/{c.shortcut}</code> {c.body}{' '}
              <button type="button" onClick={() => setEditing({ shortcut: c.shortcut, body: c.body })}>
                Edit /{c.shortcut}
              </button>{' '}
              <button
                type="button"
                onClick={() =>
                  confirm(`Delete the canned reply /${c.shortcut}? Agents can no longer insert it.`) &&
                  void run(sendMessage('admin:deleteCannedReply', { id: c.id }))
                }
              >
                Delete /{c.shortcut}
              </button>
            </li>
          ))}
        </ul>
        <CannedReplyForm
          key={editing?.shortcut ?? 'new'}
          editing={editing}
          onDone={() => setEditing(null)}
          onSave={(shortcut, body) => run(sendMessage('admin:saveCannedReply', { shortcut, body }))}
        />
      </section>
      <section id="channels" className="card" aria-labelledby="channels-heading">
        <h3 id="channels-heading">WhatsApp channels</h3>
        {/* One URL for the workspace: every channel's is the same, so it is shown once. */}
        <CopyField
          label="Webhook URL for Twilio (incoming messages, HTTP POST)"
          value={data.webhookUrl}
          hint="The same for every WhatsApp number of this workspace: Twilio sends each number’s incoming messages here."
        />
        <ul aria-label="Channels" className="channels">
          {data.channels.map((ch) => (
            <li key={ch.id}>
              <span>
                <strong>{ch.name}</strong> {ch.whatsappNumber?.replace(/^whatsapp:/, '') ?? ch.messagingServiceSid}
              </span>
              {ch.webhookUrl !== data.webhookUrl && <CopyField label={`Webhook URL for Twilio for ${ch.name}`} value={ch.webhookUrl} />}
              <span className="hint">
                {ch.lastInboundAt ? `Twilio last delivered a message ${shortTime(ch.lastInboundAt)}` : 'Twilio has not delivered a message yet'}
              </span>
            </li>
          ))}
        </ul>
        {data.waiting.length > 0 && (
          <>
            <h4>Messages for numbers not set up yet</h4>
            <p className="hint">
              Customers wrote to these numbers, which Twilio sends to this workspace’s webhook URL. Set a number up to bring its messages into the inbox.
            </p>
            <ul aria-label="Numbers not set up yet">
              {data.waiting.map((w) => (
                <WaitingNumberItem key={w.whatsappNumber} waiting={w} />
              ))}
            </ul>
          </>
        )}
      </section>
      <section id="crm" className="card" aria-labelledby="crm-heading">
        <CrmSection crm={data.crm} run={run} />
      </section>
      <section id="audit-log" className="card" aria-labelledby="audit-heading">
        <h3 id="audit-heading">Audit log</h3>
        <ol aria-label="Audit log" className="audit">
          {data.audit.slice(0, 20).map((e) => (
            <li key={e.id}>
              <time dateTime={e.at}>{new Date(e.at).toLocaleString()}</time> {e.actorName} {auditSentence(e)}
            </li>
          ))}
        </ol>
      </section>
    </section>
  );
}

function InviteForm() {
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<AgentRole>('agent');
  const [byEmail, setByEmail] = useState(false);
  const [created, setCreated] = useState<CreateInviteResponse | null>(null);
  const { error, run } = useAdminAction();
  const roleId = useId();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const answer = await run(sendMessage('admin:invite', { email, role, delivery: byEmail ? 'email' : 'link' }));
    if (answer) {
      setCreated(answer);
      setEmail('');
    }
  };
  return (
    <form aria-label="Invite an agent" onSubmit={(e) => void submit(e)}>
      <h4>Invite an agent</h4>
      <label>
        Email
        <input type="email" value={email} required onChange={(e) => setEmail(e.target.value)} />
      </label>
      <label htmlFor={roleId}>Role</label>
      <select id={roleId} value={role} onChange={(e) => setRole(e.target.value as AgentRole)}>
        <option value="agent">Agent</option>
        <option value="admin">Admin</option>
      </select>
      <label className="checkbox">
        <input type="checkbox" checked={byEmail} onChange={(e) => setByEmail(e.target.checked)} /> Send the invitation by e-mail
      </label>
      <button type="submit">{byEmail ? 'Send invitation' : 'Create invitation link'}</button>
      {created?.emailed && (
        <p role="status">
          Invitation e-mailed to {created.invite.email}. They join from that e-mail’s link (it proves the address is theirs; it works for 3 days).
        </p>
      )}
      {created?.emailProblem && <p role="alert">{created.emailProblem}</p>}
      {/* Not after an e-mail: Supabase made the invitee an account without a password, which a link cannot prove. */}
      {created && !created.emailed && <CopyField label="Send this link to the invitee (it works once, for 3 days)" value={created.link} />}
      {error && <p role="alert">{error}</p>}
    </form>
  );
}

/** A new canned reply, or the text of one being edited (its shortcut stays: agents know it by that). */
function CannedReplyForm({
  onSave,
  editing,
  onDone,
}: {
  onSave: (shortcut: string, body: string) => Promise<unknown>;
  editing: { shortcut: string; body: string } | null;
  onDone: () => void;
}) {
  const [shortcut, setShortcut] = useState(editing?.shortcut ?? '');
  const [body, setBody] = useState(editing?.body ?? '');
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if ((await onSave(shortcut, body)) !== null) {
      setShortcut('');
      setBody('');
      onDone();
    }
  };
  return (
    <form aria-label={editing ? `Edit /${editing.shortcut}` : 'Add a canned reply'} onSubmit={(e) => void submit(e)}>
      <label>
        Shortcut
        <input value={shortcut} required maxLength={32} readOnly={!!editing} onChange={(e) => setShortcut(e.target.value)} />
      </label>
      <label>
        Text
        <textarea value={body} required maxLength={4096} onChange={(e) => setBody(e.target.value)} />
      </label>
      <button type="submit">Save canned reply</button>
      {editing && (
        <button type="button" onClick={onDone}>
          Cancel
        </button>
      )}
    </form>
  );
}

function WaitingNumberItem({ waiting }: { waiting: WaitingNumber }) {
  const number = waiting.whatsappNumber.replace(/^whatsapp:/, '');
  const [name, setName] = useState('');
  const { error, run } = useAdminAction();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void run(sendMessage('admin:createChannel', { whatsappNumber: waiting.whatsappNumber, name }));
  };
  return (
    <li>
      <strong>{number}</strong>: {waiting.count === 1 ? '1 message' : `${waiting.count} messages`}, the latest {shortTime(waiting.lastAt)} from{' '}
      {waiting.latest.from.replace(/^whatsapp:/, '')}: <q>{waiting.latest.body}</q>
      <form aria-label={`Set up ${number}`} onSubmit={submit}>
        <label>
          Channel name
          <input value={name} required maxLength={200} onChange={(e) => setName(e.target.value)} />
        </label>
        <button type="submit">Set up {number}</button>
        {error && <p role="alert">{error}</p>}
      </form>
    </li>
  );
}

/**
 * *Check connection*: each step of the last check in plain words, what to do for a failed one (in
 * the CRM's own terms), and the button that runs it again (optionally writing and deleting one test
 * record). It also runs by itself right after connecting.
 */
function CrmCheck({ vendorName, last, run }: { vendorName: string; last: CrmCheckResult | null; run: ReturnType<typeof useAdminAction>['run'] }) {
  const [writeTest, setWriteTest] = useState(false);
  const [busy, setBusy] = useState(false);
  const check = async () => {
    setBusy(true);
    await run(sendMessage('admin:checkCrm', { writeTest }));
    setBusy(false);
  };
  return (
    <section aria-label="Check connection" className="crm-check">
      {last ? (
        <>
          <p role="status">
            {last.ok ? `Every check passed (${shortTime(last.at)}).` : `Something in ${vendorName} needs your attention (checked ${shortTime(last.at)}):`}
          </p>
          <ul aria-label="Connection checks">
            {last.steps.map((step, i) => (
              <li key={step.id} data-state={step.state}>
                <strong>{step.state === 'ok' ? 'OK' : step.state === 'failed' ? 'Failed' : 'Skipped'}</strong>: {step.label}. {step.detail}
                {/* One fix often mends several steps: said once. */}
                {step.fix && <div className="hint">What to do: {last.steps.slice(0, i).some((s) => s.fix === step.fix) ? 'the same as above.' : step.fix}</div>}
              </li>
            ))}
          </ul>
        </>
      ) : (
        <p className="hint">Not checked yet.</p>
      )}
      <p>
        <label>
          <input type="checkbox" checked={writeTest} onChange={(e) => setWriteTest(e.target.checked)} /> Also write one test record in {vendorName} and delete
          it
        </label>{' '}
        <button type="button" disabled={busy} onClick={() => void check()}>
          {busy ? 'Checking…' : 'Check connection'}
        </button>
      </p>
    </section>
  );
}

/**
 * The CRM conversations are logged in: connect (the server's single-use start link, opened at once
 * in a tab: it leads to the CRM's consent page, and the CRM sends that browser back to the
 * server), how it goes (last write, last error, how far behind,
 * customers no record matched), disconnect.
 */
function CrmSection({ crm, run }: { crm: CrmStatus; run: ReturnType<typeof useAdminAction>['run'] }) {
  const c = crm.connection;
  const [region, setRegion] = useState<ZohoDataCentre>('us');
  const connect = async (vendor: CrmVendor, where?: ZohoDataCentre) => {
    const r = await run(sendMessage('admin:connectCrm', { vendor, ...(where && { region: where }) }));
    if (r) window.open(r.authorizeUrl, '_blank', 'noopener');
  };
  return (
    <>
      <h3 id="crm-heading">CRM</h3>
      {!c && crm.vendors.length === 0 && (
        <p className="hint">This server has no CRM app set up yet (docs/crm.md: the CRM's client id and secret, and CRM_TOKEN_KEY).</p>
      )}
      {!c && crm.vendors.length > 0 && (
        <>
          <p>Log every WhatsApp conversation on the customer’s CRM record, live.</p>
          <p className="crm-connect">
            {crm.vendors.map((v) =>
              v.regions ? (
                <span key={v.vendor}>
                  <label>
                    {v.name} data centre{' '}
                    <select value={region} onChange={(e) => setRegion(e.target.value as ZohoDataCentre)}>
                      {v.regions.map((r) => (
                        <option key={r.id} value={r.id}>
                          {r.name}
                        </option>
                      ))}
                    </select>
                  </label>{' '}
                  <button type="button" onClick={() => void connect(v.vendor, region)}>
                    Connect {v.name}
                  </button>
                </span>
              ) : (
                <button key={v.vendor} type="button" onClick={() => void connect(v.vendor)}>
                  Connect {v.name}
                </button>
              ),
            )}
          </p>
        </>
      )}
      {c && (
        <dl className="crm-status" aria-label="CRM">
          <dt>Connected</dt>
          <dd>
            {c.vendorName}
            {c.account ? ` (account ${c.account})` : ''} since {shortTime(c.connectedAt)}
          </dd>
          <dt>
            <label htmlFor="crm-log-mode">Log</label>
          </dt>
          <dd>
            <select
              id="crm-log-mode"
              value={c.logMode}
              onChange={(e) => void run(sendMessage('admin:setCrmLogMode', { logMode: e.target.value as 'window' | 'message' }))}
            >
              <option value="window">one record per conversation per 24 hours</option>
              <option value="message">each message as its own record</option>
            </select>
          </dd>
          <dt>Last write</dt>
          <dd>{c.lastWriteAt ? shortTime(c.lastWriteAt) : 'nothing written yet'}</dd>
          <dt>Waiting</dt>
          <dd>{c.pending === 0 ? 'Up to date' : `${c.pending} record${c.pending === 1 ? '' : 's'}, the oldest for ${c.oldestPendingSeconds ?? 0} s`}</dd>
          {c.unmatched > 0 && (
            <>
              <dt>Not in the CRM</dt>
              <dd>
                {c.unmatched === 1 ? '1 customer has' : `${c.unmatched} customers have`} no {c.vendorName} contact with their number
              </dd>
            </>
          )}
          {c.pausedUntil && (
            <>
              <dt>Paused</dt>
              <dd>
                {c.pausedReason ?? `${c.vendorName} asked to wait`}: writing resumes at {shortTime(c.pausedUntil)}; nothing is lost meanwhile
              </dd>
            </>
          )}
          {c.lastError && (
            <>
              <dt>Last error</dt>
              <dd role="status">
                {c.lastError} ({c.lastErrorAt ? shortTime(c.lastErrorAt) : ''})
              </dd>
            </>
          )}
          {c.needsSetup && (
            <>
              <dt>Waiting for you</dt>
              <dd role="alert">
                {c.needsSetup} Then press <em>Check connection</em>: writing resumes when it passes; nothing is lost meanwhile.
              </dd>
            </>
          )}
          <dd className="crm-actions">
            {/* The fix for a scope not granted or an app uninstalled: the same account again keeps what waits. */}
            <button type="button" onClick={() => void connect(c.vendor, c.vendor === 'zoho' ? ((c.account as ZohoDataCentre | null) ?? undefined) : undefined)}>
              Connect {c.vendorName} again
            </button>{' '}
            <button
              type="button"
              onClick={() =>
                confirm(
                  `Disconnect ${c.vendorName}? Conversations stop being logged there (what is already in ${c.vendorName} stays), and records still waiting are dropped.`,
                ) && void run(sendMessage('admin:disconnectCrm'))
              }
            >
              Disconnect {c.vendorName}
            </button>
          </dd>
        </dl>
      )}
      {c && <CrmCheck vendorName={c.vendorName} last={c.lastCheck} run={run} />}
    </>
  );
}
