import { useMemo, useState } from 'react';
import { Trans, useTranslation } from 'react-i18next';
import type { CrmStatus, CrmVendor } from '@/lib/contract/api';
import type { ZohoDataCentre } from '@/lib/contract/crm-places';
import { useFormat } from '@/lib/hooks/useFormat';
import { sendMessage } from '@/lib/messaging/protocol';
import { CrmCheck } from './CrmCheck';
import type { RunAdminAction } from './useAdminAction';

/** How conversations are logged: one record per conversation per 24 hours, or one per message. */
const LOG_MODES = ['window', 'message'] as const;
type LogMode = (typeof LOG_MODES)[number];

/** A data centre's place in the agent's language, its domain as the server gives it: "Europa (zoho.eu)". */
function useDataCentreName() {
  const { t } = useTranslation('admin');
  const { language } = useFormat();
  const places = useMemo(() => new Intl.DisplayNames([language], { type: 'region', fallback: 'code' }), [language]);
  return (r: { id: ZohoDataCentre; name: string }) => {
    const domain = /\(([^)]+)\)$/.exec(r.name)?.[1];
    const place = places.of(r.id === 'uk' ? 'GB' : r.id.toUpperCase());
    return domain && place ? t('crm.dataCentreName', { place, domain }) : r.name;
  };
}

/**
 * The CRM conversations are logged in: connect (the server's single-use start link, opened at once
 * in a tab: it leads to the CRM's consent page, and the CRM sends that browser back to the
 * server), how it goes (last write, last error, how far behind,
 * customers no record matched), disconnect. The server's own words (a pause's reason, the last
 * error, what to set up) are shown as given.
 */
export function CrmSection({ crm, run }: { crm: CrmStatus; run: RunAdminAction }) {
  const { t } = useTranslation('admin');
  const { shortTime, formats } = useFormat();
  const dataCentreName = useDataCentreName();
  const c = crm.connection;
  const [region, setRegion] = useState<ZohoDataCentre>('us');
  const connect = async (vendor: CrmVendor, where?: ZohoDataCentre) => {
    const r = await run(sendMessage('admin:connectCrm', { vendor, ...(where && { region: where }) }));
    if (r) window.open(r.authorizeUrl, '_blank', 'noopener');
  };
  return (
    <section id="crm" className="card" aria-labelledby="crm-heading">
      <h3 id="crm-heading">{t('crm.heading')}</h3>
      {!c && crm.vendors.length === 0 && <p className="hint">{t('crm.noApp')}</p>}
      {!c && crm.vendors.length > 0 && (
        <>
          <p>{t('crm.pitch')}</p>
          <p className="crm-connect">
            {crm.vendors.map((v) =>
              v.regions ? (
                <span key={v.vendor}>
                  <label>
                    {t('crm.dataCentre', { vendor: v.name })}{' '}
                    <select value={region} onChange={(e) => setRegion(e.target.value as ZohoDataCentre)}>
                      {v.regions.map((r) => (
                        <option key={r.id} value={r.id}>
                          {dataCentreName(r)}
                        </option>
                      ))}
                    </select>
                  </label>{' '}
                  <button type="button" onClick={() => void connect(v.vendor, region)}>
                    {t('crm.connect', { vendor: v.name })}
                  </button>
                </span>
              ) : (
                <button key={v.vendor} type="button" onClick={() => void connect(v.vendor)}>
                  {t('crm.connect', { vendor: v.name })}
                </button>
              ),
            )}
          </p>
        </>
      )}
      {c && (
        <dl className="crm-status" aria-label={t('crm.status')}>
          <dt>{t('crm.connected')}</dt>
          <dd>
            {c.account
              ? t('crm.connectedToAccount', { vendor: c.vendorName, account: c.account, since: shortTime(c.connectedAt) })
              : t('crm.connectedTo', { vendor: c.vendorName, since: shortTime(c.connectedAt) })}
          </dd>
          <dt>
            <label htmlFor="crm-log-mode">{t('crm.log')}</label>
          </dt>
          <dd>
            <select id="crm-log-mode" value={c.logMode} onChange={(e) => void run(sendMessage('admin:setCrmLogMode', { logMode: e.target.value as LogMode }))}>
              {LOG_MODES.map((mode) => (
                <option key={mode} value={mode}>
                  {t(`crm.logMode.${mode}`)}
                </option>
              ))}
            </select>
          </dd>
          <dt>{t('crm.lastWrite')}</dt>
          <dd>{c.lastWriteAt ? shortTime(c.lastWriteAt) : t('crm.nothingWritten')}</dd>
          <dt>{t('crm.waiting')}</dt>
          <dd>{c.pending === 0 ? t('crm.upToDate') : t('crm.pending', { count: c.pending, seconds: formats.number.format(c.oldestPendingSeconds ?? 0) })}</dd>
          {c.unmatched > 0 && (
            <>
              <dt>{t('crm.notInCrm')}</dt>
              <dd>{t('crm.unmatched', { count: c.unmatched, vendor: c.vendorName })}</dd>
            </>
          )}
          {c.pausedUntil && (
            <>
              <dt>{t('crm.paused')}</dt>
              <dd>
                {t('crm.resumesAt', {
                  reason: c.pausedReason ?? t('crm.vendorAskedToWait', { vendor: c.vendorName }),
                  when: shortTime(c.pausedUntil),
                })}
              </dd>
            </>
          )}
          {c.lastError && (
            <>
              <dt>{t('crm.lastError')}</dt>
              <dd role="status">{t('crm.lastErrorAt', { error: c.lastError, when: c.lastErrorAt ? shortTime(c.lastErrorAt) : '' })}</dd>
            </>
          )}
          {c.needsSetup && (
            <>
              <dt>{t('crm.waitingForYou')}</dt>
              <dd role="alert">
                {c.needsSetup} <Trans t={t} i18nKey="crm.needsSetupThen" components={{ em: <em /> }} />
              </dd>
            </>
          )}
          <dd className="crm-actions">
            {/* The fix for a scope not granted or an app uninstalled: the same account again keeps what waits. */}
            <button type="button" onClick={() => void connect(c.vendor, c.vendor === 'zoho' ? ((c.account as ZohoDataCentre | null) ?? undefined) : undefined)}>
              {t('crm.connectAgain', { vendor: c.vendorName })}
            </button>{' '}
            <button type="button" onClick={() => confirm(t('crm.disconnectConfirm', { vendor: c.vendorName })) && void run(sendMessage('admin:disconnectCrm'))}>
              {t('crm.disconnect', { vendor: c.vendorName })}
            </button>
          </dd>
        </dl>
      )}
      {c && <CrmCheck vendorName={c.vendorName} last={c.lastCheck} run={run} />}
    </section>
  );
}
