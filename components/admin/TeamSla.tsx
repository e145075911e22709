import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { TeamView } from '@/lib/contract/routing';
import { sendMessage } from '@/lib/messaging/protocol';
import type { RunAdminAction } from './useAdminAction';

const TARGETS = ['firstResponse', 'nextResponse', 'resolution'] as const;

/** A team's SLA targets in business minutes (empty: no target of that kind), the warning lead time, and whether admins hear of breaches. */
export function TeamSla({ team, run }: { team: TeamView; run: RunAdminAction }) {
  const { t } = useTranslation('routing');
  const shown = (n: number | null | undefined) => (n === null || n === undefined ? '' : String(n));
  const [targets, setTargets] = useState<Record<(typeof TARGETS)[number], string>>({
    firstResponse: shown(team.sla?.firstResponseMinutes),
    nextResponse: shown(team.sla?.nextResponseMinutes),
    resolution: shown(team.sla?.resolutionMinutes),
  });
  const [warnBefore, setWarnBefore] = useState(shown(team.sla?.warnBeforeMinutes ?? 5));
  const [notifyAdmins, setNotifyAdmins] = useState(team.sla?.notifyAdmins ?? false);
  const minutes = (text: string) => (text ? Number(text) : null);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const sla = {
      firstResponseMinutes: minutes(targets.firstResponse),
      nextResponseMinutes: minutes(targets.nextResponse),
      resolutionMinutes: minutes(targets.resolution),
      warnBeforeMinutes: minutes(warnBefore) ?? 0,
      notifyAdmins,
    };
    void run(sendMessage('admin:setTeamSla', { teamId: team.id, sla }));
  };
  return (
    <form className="team-sla" aria-label={t('teams.sla', { team: team.name })} onSubmit={submit}>
      <fieldset>
        <legend>{t('teams.sla', { team: team.name })}</legend>
        {TARGETS.map((k) => (
          <label key={k}>
            {t(`teams.${k}`)}
            <input type="number" min={1} value={targets[k]} onChange={(e) => setTargets((all) => ({ ...all, [k]: e.target.value }))} />
          </label>
        ))}
        <label>
          {t('teams.warnBefore')}
          <input type="number" min={0} max={1440} value={warnBefore} onChange={(e) => setWarnBefore(e.target.value)} />
        </label>
        <label className="inline">
          <input type="checkbox" checked={notifyAdmins} onChange={(e) => setNotifyAdmins(e.target.checked)} />
          {t('teams.notifyAdmins')}
        </label>
        <button type="submit">{t('teams.save')}</button>
        {team.sla && (
          <button type="button" onClick={() => void run(sendMessage('admin:setTeamSla', { teamId: team.id, sla: null }))}>
            {t('teams.removeSla')}
          </button>
        )}
      </fieldset>
    </form>
  );
}
