import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { AdminOverview } from '@/lib/contract/api';
import { ASSIGNMENT_POLICIES, type AssignmentPolicy, type TeamView } from '@/lib/contract/routing';
import { useStorageItem } from '@/lib/hooks/useStorageItem';
import { sendMessage } from '@/lib/messaging/protocol';
import { routingItem } from '@/lib/storage/items';
import { TeamHours } from './TeamHours';
import { TeamMembers } from './TeamMembers';
import { TeamSla } from './TeamSla';
import type { RunAdminAction } from './useAdminAction';

/**
 * Teams (docs/routing.md): each with its assignment policy and capacity, members, the channels it
 * answers, business hours with the auto-reply, and SLA targets; a form creates one. Live: another
 * admin's change arrives as `team:changed` { area: 'routing' } and is read again into `routingItem`.
 */
export function Teams({ data, run }: { data: AdminOverview; run: RunAdminAction }) {
  const { t } = useTranslation('routing');
  const routing = useStorageItem(routingItem);
  useEffect(() => void sendMessage('routing:refresh'), []);
  return (
    <section id="teams" className="card routing-teams" aria-labelledby="teams-heading">
      <h3 id="teams-heading">{t('teams.heading')}</h3>
      <p className="hint">{t('teams.hint')}</p>
      {!routing ? (
        <p>{t('teams.loading')}</p>
      ) : routing.teams.length === 0 ? (
        <p className="hint">{t('teams.none')}</p>
      ) : (
        <ul className="team-cards" aria-label={t('teams.list')}>
          {routing.teams.map((team) => (
            <li key={team.id} className="team-card" data-team={team.name}>
              <TeamCard team={team} data={data} run={run} />
            </li>
          ))}
        </ul>
      )}
      <CreateTeam run={run} />
    </section>
  );
}

function TeamCard({ team, data, run }: { team: TeamView; data: AdminOverview; run: RunAdminAction }) {
  const { t } = useTranslation('routing');
  const headingId = `team-${team.id}`;
  return (
    <article aria-labelledby={headingId}>
      <header className="team-card-head">
        <h4 id={headingId}>{team.name}</h4>
        <span className="hint">{t('teams.queued', { waiting: team.queued })}</span>
        <button
          type="button"
          className="danger"
          onClick={() => confirm(t('teams.deleteConfirm', { team: team.name })) && void run(sendMessage('admin:deleteTeam', { teamId: team.id }))}
        >
          {t('teams.delete', { team: team.name })}
        </button>
      </header>
      <TeamSettings key={`${team.name}|${team.assignment}|${team.defaultCapacity}|${team.handBackAfterMinutes}`} team={team} run={run} />
      <TeamMembers team={team} agents={data.members} run={run} />
      <fieldset>
        <legend>{t('teams.channels', { team: team.name })}</legend>
        {data.channels.length === 0 && <p className="hint">{t('teams.channelsNone')}</p>}
        {data.channels.map((ch) => (
          <label key={ch.id} className="inline">
            <input
              type="checkbox"
              checked={team.channelIds.includes(ch.id)}
              onChange={(e) => void run(sendMessage('admin:setChannelTeam', { channelId: ch.id, teamId: e.target.checked ? team.id : null }))}
            />
            {ch.name}
          </label>
        ))}
      </fieldset>
      <TeamHours key={JSON.stringify(team.hours)} team={team} run={run} />
      <TeamSla key={JSON.stringify(team.sla)} team={team} run={run} />
    </article>
  );
}

/** Name, policy, default capacity and hand-back of a team. */
function TeamSettings({ team, run }: { team: TeamView; run: RunAdminAction }) {
  const { t } = useTranslation('routing');
  const [fields, setFields] = useState<Fields>({ name: team.name, assignment: team.assignment, capacity: String(team.defaultCapacity) });
  const [handBack, setHandBack] = useState(team.handBackAfterMinutes === null ? '' : String(team.handBackAfterMinutes));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const patch = {
      name: fields.name,
      assignment: fields.assignment,
      defaultCapacity: Number(fields.capacity),
      handBackAfterMinutes: handBack ? Number(handBack) : null,
    };
    void run(sendMessage('admin:updateTeam', { teamId: team.id, patch }));
  };
  return (
    <form className="team-settings" aria-label={t('teams.settings', { team: team.name })} onSubmit={submit}>
      <TeamFields fields={fields} onChange={setFields} />
      <label>
        {t('teams.handBack')}
        <input type="number" min={1} max={10080} value={handBack} aria-describedby={`${team.id}-handback`} onChange={(e) => setHandBack(e.target.value)} />
        <span id={`${team.id}-handback`} className="hint">
          {t('teams.handBackHint')}
        </span>
      </label>
      <button type="submit">{t('teams.save')}</button>
    </form>
  );
}

interface Fields {
  name: string;
  assignment: AssignmentPolicy;
  capacity: string;
}

/** A team's name, assignment policy and default capacity (creating a team, or in its settings). */
function TeamFields({ fields, onChange }: { fields: Fields; onChange: (f: Fields) => void }) {
  const { t } = useTranslation('routing');
  return (
    <>
      <label>
        {t('teams.name')}
        <input value={fields.name} required maxLength={100} onChange={(e) => onChange({ ...fields, name: e.target.value })} />
      </label>
      <label>
        {t('teams.policy')}
        <select value={fields.assignment} onChange={(e) => onChange({ ...fields, assignment: e.target.value as AssignmentPolicy })}>
          {ASSIGNMENT_POLICIES.map((p) => (
            <option key={p} value={p}>
              {t(`teams.policies.${p}`)}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t('teams.defaultCapacity')}
        <input type="number" min={1} max={1000} required value={fields.capacity} onChange={(e) => onChange({ ...fields, capacity: e.target.value })} />
      </label>
    </>
  );
}

function CreateTeam({ run }: { run: RunAdminAction }) {
  const { t } = useTranslation('routing');
  const [fields, setFields] = useState<Fields>({ name: '', assignment: 'round_robin', capacity: '5' });
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const team = { name: fields.name, assignment: fields.assignment, defaultCapacity: Number(fields.capacity), handBackAfterMinutes: null };
    if (await run(sendMessage('admin:createTeam', team))) setFields((f) => ({ ...f, name: '' }));
  };
  return (
    <form className="team-create" aria-label={t('teams.create')} onSubmit={(e) => void submit(e)}>
      <h4>{t('teams.create')}</h4>
      <TeamFields fields={fields} onChange={setFields} />
      <button type="submit">{t('teams.create')}</button>
    </form>
  );
}
