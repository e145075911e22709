import { useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { AdminOverview, CreateInviteResponse } from '@/lib/contract/api';
import type { AgentRole } from '@/lib/contract/models';
import { useFormat } from '@/lib/hooks/useFormat';
import { sendMessage } from '@/lib/messaging/protocol';
import { CopyField } from '../CopyField';
import { RoleOptions } from './RoleOptions';
import { useAdminAction, type RunAdminAction } from './useAdminAction';

/** Invitations: the form to invite an agent (by link or e-mail) and the open invitations, each revocable. */
export function Invitations({ data, run }: { data: AdminOverview; run: RunAdminAction }) {
  const { t } = useTranslation('admin');
  const { formats } = useFormat();
  const openInvites = data.invites.filter((i) => !i.acceptedAt && Date.parse(i.expiresAt) > Date.now());
  return (
    <section id="invitations" className="card" aria-labelledby="invitations-heading">
      <h3 id="invitations-heading">{t('invitations.heading')}</h3>
      <InviteForm />
      {openInvites.length > 0 && (
        <>
          <h4>{t('invitations.open')}</h4>
          <ul aria-label={t('invitations.open')}>
            {openInvites.map((i) => (
              <li key={i.id}>
                {t(i.delivery === 'email' ? 'invitations.itemEmailed' : 'invitations.item', {
                  email: i.email,
                  role: t(`invitations.roleName.${i.role}`),
                  until: formats.dateTime.format(new Date(i.expiresAt)),
                })}{' '}
                <button type="button" onClick={() => void run(sendMessage('admin:revokeInvite', { inviteId: i.id }))}>
                  {t('invitations.revoke')}
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
  const { t } = useTranslation('admin');
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
    <form aria-label={t('invitations.form.heading')} onSubmit={(e) => void submit(e)}>
      <h4>{t('invitations.form.heading')}</h4>
      <label>
        {t('invitations.form.email')}
        <input type="email" value={email} required onChange={(e) => setEmail(e.target.value)} />
      </label>
      <label htmlFor={roleId}>{t('invitations.form.role')}</label>
      <select id={roleId} value={role} onChange={(e) => setRole(e.target.value as AgentRole)}>
        <RoleOptions />
      </select>
      <label className="checkbox">
        <input type="checkbox" checked={byEmail} onChange={(e) => setByEmail(e.target.checked)} /> {t('invitations.form.byEmail')}
      </label>
      <button type="submit">{byEmail ? t('invitations.form.send') : t('invitations.form.createLink')}</button>
      {created?.emailed && <p role="status">{t('invitations.form.emailed', { email: created.invite.email })}</p>}
      {/* The server's words about the mail service: shown as given. */}
      {created?.emailProblem && <p role="alert">{created.emailProblem}</p>}
      {/* Not after an e-mail: Supabase made the invitee an account without a password, which a link cannot prove. */}
      {created && !created.emailed && <CopyField label={t('invitations.form.link')} value={created.link} />}
      {error && <p role="alert">{error}</p>}
    </form>
  );
}
