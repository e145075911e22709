import { useEffect, useState } from 'react';
import type { ReportResponse, ReportTableName } from '../contract/reports';
import { sendMessage, unwrap } from '../messaging/protocol';

/** What the page asks a report for (the server's `reportQuery`). */
export interface ReportRequest {
  from: string;
  to: string;
  timeZone: string;
  channel?: string;
  agent?: string;
  team?: string;
}

/**
 * The report on screen and the request it answers; `loading` while a newer request is asked (the
 * previous report stays on screen meanwhile), `error` when the last one failed.
 */
export interface ReportState {
  shown: { report: ReportResponse; request: ReportRequest } | null;
  loading: boolean;
  error: string | null;
}

/**
 * A report asked of the background (which holds the session) whenever the request changes; an
 * answer to an older request is dropped.
 */
export function useReport(request: ReportRequest | null): ReportState {
  const [state, setState] = useState<ReportState>({ shown: null, loading: true, error: null });
  const key = request && JSON.stringify(request);
  useEffect(() => {
    if (!key) return;
    let current = true;
    const asked = JSON.parse(key) as ReportRequest;
    setState((s) => ({ ...s, loading: true, error: null }));
    unwrap(sendMessage('reports:get', asked)).then(
      (report) => current && setState({ shown: { report, request: asked }, loading: false, error: null }),
      (err: Error) => current && setState({ shown: null, loading: false, error: err.message }),
    );
    return () => {
      current = false;
    };
  }, [key]);
  return state;
}

/** One table of a report as a CSV file the browser downloads (with the byte order mark spreadsheets need for accents). */
export async function downloadCsv(request: ReportRequest, table: ReportTableName, fileName: string): Promise<void> {
  const { csv } = await unwrap(sendMessage('reports:csv', { ...request, table }));
  const url = URL.createObjectURL(new Blob(['\uFEFF', csv], { type: 'text/csv;charset=utf-8' }));
  const a = Object.assign(document.createElement('a'), { href: url, download: fileName });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
