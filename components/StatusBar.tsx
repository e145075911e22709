import type { ConnectionStatus } from '@/lib/connection/status';

const LABELS: Record<ConnectionStatus['overall'], string> = {
  'signed-out': 'Signed out',
  connecting: 'Connecting…',
  live: 'Live',
  degraded: 'Degraded',
  polling: 'Polling',
  offline: 'Offline',
};

/** The connection indicator, with a manual Reconnect when not live. */
export function StatusBar(props: { status: ConnectionStatus; agentName: string | null; onReconnect: () => void }) {
  const { overall, lastError, realtime, socket } = props.status;
  const detail = `Realtime: ${realtime}, Socket.IO: ${socket}${lastError ? ` (last error: ${lastError})` : ''}`;
  return (
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
  );
}
