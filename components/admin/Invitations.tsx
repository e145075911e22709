import { useId, useState, type FormEvent } from 'react';
import type { AdminOverview, CreateInviteResponse } from '@/lib/contract/api';
import type { AgentRole } from '@/lib/contract/models';
import { sendMessage } from '@/lib/messaging/protocol';
import { CopyField } from '../CopyField';
import { useAdminAction, type RunAdminAction } from './useAdminAction';

/** Invitations: the form to invite an agent (by link or e-mail) and the open invitations, each revocable. */
export function Invitations({ data, run }: { data: AdminOverview; run: RunAdminAction }) {
  const openInvites = data.invites.filter((i) => !i.acceptedAt && Date.parse(i.expiresAt) > Date.now());
  return (
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
