import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { CrmCheckResult } from '@/lib/contract/api';
import { useFormat } from '@/lib/hooks/useFormat';
import { sendMessage } from '@/lib/messaging/protocol';
import type { RunAdminAction } from './useAdminAction';

/**
 * *Check connection*: each step of the last check in plain words, what to do for a failed one (in
 * the CRM's own terms), and the button that runs it again (optionally writing and deleting one test
 * record). It also runs by itself right after connecting. A step's label, detail and fix are the
 * server's words (English), shown as given.
 */
export function CrmCheck({ vendorName, last, run }: { vendorName: string; last: CrmCheckResult | null; run: RunAdminAction }) {
  const { t } = useTranslation('admin');
  const { shortTime } = useFormat();
  const [writeTest, setWriteTest] = useState(false);
  const [busy, setBusy] = useState(false);
  const check = async () => {
    setBusy(true);
    await run(sendMessage('admin:checkCrm', { writeTest }));
    setBusy(false);
  };
  const state = { ok: t('crm.check.state.ok'), failed: t('crm.check.state.failed'), skipped: t('crm.check.state.skipped') };
  return (
    <section aria-label={t('crm.check.region')} className="crm-check">
      {last ? (
        <>
          <p role="status">
            {last.ok ? t('crm.check.passed', { when: shortTime(last.at) }) : t('crm.check.attention', { vendor: vendorName, when: shortTime(last.at) })}
          </p>
          <ul aria-label={t('crm.check.list')}>
            {last.steps.map((step, i) => (
              <li key={step.id} data-state={step.state}>
                <strong>{state[step.state]}</strong>: {t('crm.check.step', { label: step.label, detail: step.detail })}
                {/* One fix often mends several steps: said once. */}
                {step.fix && (
                  <div className="hint">
                    {last.steps.slice(0, i).some((s) => s.fix === step.fix) ? t('crm.check.sameFix') : t('crm.check.fix', { fix: step.fix })}
                  </div>
                )}
              </li>
            ))}
          </ul>
        </>
      ) : (
        <p className="hint">{t('crm.check.notYet')}</p>
      )}
      <p>
        <label>
          <input type="checkbox" checked={writeTest} onChange={(e) => setWriteTest(e.target.checked)} /> {t('crm.check.writeTest', { vendor: vendorName })}
        </label>{' '}
        <button type="button" disabled={busy} onClick={() => void check()}>
          {busy ? t('crm.check.running') : t('crm.check.run')}
        </button>
      </p>
    </section>
  );
}
