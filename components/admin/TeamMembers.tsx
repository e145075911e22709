import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { TeamMember } from '@/lib/contract/api';
import type { TeamView } from '@/lib/contract/routing';
import { sendMessage } from '@/lib/messaging/protocol';
import type { RunAdminAction } from './useAdminAction';

/** A team's members, each with a capacity of their own (empty: the team's default); add or remove agents. */
export function TeamMembers({ team, agents, run }: { team: TeamView; agents: TeamMember[]; run: RunAdminAction }) {
  const { t } = useTranslation('routing');
  const [adding, setAdding] = useState('');
  const nameOf = (id: string) => agents.find((a) => a.id === id)?.displayName ?? id;
  const others = agents.filter((a) => !team.members.some((m) => m.agentId === a.id));
  return (
    <div className="team-members">
      <table aria-label={t('teams.members', { team: team.name })}>
        <thead>
          <tr>
            <th scope="col">{t('teams.member')}</th>
            <th scope="col">{t('teams.capacity')}</th>
            <th scope="col" />
          </tr>
        </thead>
        <tbody>
          {team.members.map((m) => (
            <tr key={m.agentId} data-member={nameOf(m.agentId)}>
              <td>{nameOf(m.agentId)}</td>
              <td>
                <MemberCapacity
                  key={m.capacity ?? 'default'}
                  label={t('teams.capacityOf', { name: nameOf(m.agentId) })}
                  capacity={m.capacity}
                  placeholder={team.defaultCapacity}
                  onSave={(capacity) => void run(sendMessage('admin:setTeamMember', { teamId: team.id, agentId: m.agentId, capacity }))}
                />
              </td>
              <td>
                <button type="button" onClick={() => void run(sendMessage('admin:removeTeamMember', { teamId: team.id, agentId: m.agentId }))}>
                  {t('teams.remove', { name: nameOf(m.agentId), team: team.name })}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {others.length > 0 && (
        <form
          className="inline-form"
          aria-label={t('teams.addMember', { team: team.name })}
          onSubmit={(e) => {
            e.preventDefault();
            if (adding) void run(sendMessage('admin:setTeamMember', { teamId: team.id, agentId: adding, capacity: null })).then(() => setAdding(''));
          }}
        >
          <select aria-label={t('teams.addMember', { team: team.name })} value={adding} required onChange={(e) => setAdding(e.target.value)}>
            <option value="">{t('teams.pick')}</option>
            {others.map((a) => (
              <option key={a.id} value={a.id}>
                {a.displayName}
              </option>
            ))}
          </select>
          <button type="submit">{t('teams.add')}</button>
        </form>
      )}
    </div>
  );
}

function MemberCapacity(props: { label: string; capacity: number | null; placeholder: number; onSave: (capacity: number | null) => void }) {
  const { t } = useTranslation('routing');
  const [value, setValue] = useState(props.capacity === null ? '' : String(props.capacity));
  return (
    <span className="inline-form">
      <input
        type="number"
        min={1}
        max={1000}
        aria-label={props.label}
        placeholder={String(props.placeholder)}
        value={value}
        onChange={(e) => setValue(e.target.value)}
      />
      <button type="button" onClick={() => props.onSave(value ? Number(value) : null)}>
        {t('teams.setCapacity')}
      </button>
    </span>
  );
}
