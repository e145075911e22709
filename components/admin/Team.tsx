import { useTranslation } from 'react-i18next';
import type { AdminOverview } from '@/lib/contract/api';
import type { AgentProfile, AgentRole } from '@/lib/contract/models';
import { sendMessage } from '@/lib/messaging/protocol';
import { RoleOptions } from './RoleOptions';
import type { RunAdminAction } from './useAdminAction';

/** The team: each agent with their role (changeable) and a button to remove them (not oneself). */
export function Team({ data, me, run }: { data: AdminOverview; me: AgentProfile; run: RunAdminAction }) {
  const { t } = useTranslation('admin');
  return (
    <section id="team" className="card" aria-labelledby="team-heading">
      <h3 id="team-heading">{t('team.heading')}</h3>
      <table aria-label={t('team.table')}>
        <thead>
          <tr>
            <th scope="col">{t('team.name')}</th>
            <th scope="col">{t('team.email')}</th>
            <th scope="col">{t('team.role')}</th>
            <th scope="col">
              <span className="visually-hidden">{t('team.actions')}</span>
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
                  aria-label={t('team.roleOf', { name: m.displayName })}
                  value={m.role}
                  onChange={(e) => void run(sendMessage('admin:setRole', { agentId: m.id, role: e.target.value as AgentRole }))}
                >
                  <RoleOptions />
                </select>
              </td>
              <td>
                {m.id !== me.id && (
                  <button
                    type="button"
                    onClick={() => confirm(t('team.removeConfirm', { name: m.displayName })) && void run(sendMessage('admin:removeAgent', { agentId: m.id }))}
                  >
                    {t('team.remove', { name: m.displayName })}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
