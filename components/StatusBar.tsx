import { CloudOff, LogIn, RefreshCw, WifiOff, type LucideIcon } from 'lucide-react';
import type { ConnectionBanner, ConnectionProblem } from '@/lib/connection/banner';
import type { ConnectionStatus } from '@/lib/connection/status';

const LABELS: Record<ConnectionStatus['overall'], string> = {
  'signed-out': 'Signed out',
  connecting: 'Connecting…',
  live: 'Live',
  degraded: 'Degraded',
  polling: 'Polling',
  offline: 'Offline',
};

const ICONS: Record<ConnectionProblem, LucideIcon> = { 'signed-out': LogIn, offline: WifiOff, server: CloudOff, interrupted: RefreshCw };

/**
 * The connection indicator, with a manual Reconnect when not live, and below it, when something is
 * wrong, a banner that says which side in words (`connectionBanner`).
 */
export function StatusBar(props: { status: ConnectionStatus; banner: ConnectionBanner | null; agentName: string | null; onReconnect: () => void }) {
  const { overall, lastError, realtime, socket } = props.status;
  const detail = `Realtime: ${realtime}, Socket.IO: ${socket}${lastError ? ` (last error: ${lastError})` : ''}`;
  const Icon = props.banner ? ICONS[props.banner.problem] : null;
  return (
    <>
      <div className={`status status-${overall}`} role="status" data-status={overall} title={detail}>
        <span className="dot" aria-hidden="true" />
        <span>{LABELS[overall]}</span>
        {props.agentName && <span className="agent">· {props.agentName}</span>}
        {overall !== 'live' && overall !== 'signed-out' && (
          <button type="button" onClick={props.onReconnect}>
            Reconnect
          </button>
        )}
      </div>
      {props.banner && Icon && (
        <p className={`connection-banner banner-${props.banner.problem}`} role="alert" data-problem={props.banner.problem}>
          <Icon aria-hidden="true" />
          <span>
            <strong>{props.banner.title}</strong> {props.banner.detail}
          </span>
        </p>
      )}
    </>
  );
}
