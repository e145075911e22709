import { useState } from 'react';
import type { CrmCheckResult, CrmStatus, CrmVendor } from '@/lib/contract/api';
import type { ZohoDataCentre } from '@/lib/contract/crm-places';
import { sendMessage } from '@/lib/messaging/protocol';
import { shortTime } from '../format';
import type { RunAdminAction } from './useAdminAction';

/**
 * *Check connection*: each step of the last check in plain words, what to do for a failed one (in
 * the CRM's own terms), and the button that runs it again (optionally writing and deleting one test
 * record). It also runs by itself right after connecting.
 */
function CrmCheck({ vendorName, last, run }: { vendorName: string; last: CrmCheckResult | null; run: RunAdminAction }) {
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
export function CrmSection({ crm, run }: { crm: CrmStatus; run: RunAdminAction }) {
  const c = crm.connection;
  const [region, setRegion] = useState<ZohoDataCentre>('us');
  const connect = async (vendor: CrmVendor, where?: ZohoDataCentre) => {
    const r = await run(sendMessage('admin:connectCrm', { vendor, ...(where && { region: where }) }));
    if (r) window.open(r.authorizeUrl, '_blank', 'noopener');
  };
  return (
    <section id="crm" className="card" aria-labelledby="crm-heading">
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
    </section>
  );
}
