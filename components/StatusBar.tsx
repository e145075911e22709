import { CloudOff, LogIn, RefreshCw, WifiOff, type LucideIcon } from 'lucide-react';
import { memo } from 'react';
import { useTranslation } from 'react-i18next';
import type { ConnectionBanner, ConnectionProblem } from '@/lib/connection/banner';
import type { ConnectionStatus } from '@/lib/connection/status';
import { AvailabilityPicker } from './routing/AvailabilityPicker';

const ICONS: Record<ConnectionProblem, LucideIcon> = { 'signed-out': LogIn, offline: WifiOff, server: CloudOff, interrupted: RefreshCw };

/**
 * The connection indicator, with a manual Reconnect when not live, and below it, when something is
 * wrong, a banner that says which side in words (`connectionBanner`).
 */
export const StatusBar = memo(function StatusBar(props: {
  status: ConnectionStatus;
  banner: ConnectionBanner | null;
  agentName: string | null;
  onReconnect: () => void;
}) {
  const { t } = useTranslation('inbox');
  const { overall, lastError, realtime, socket } = props.status;
  const detail = lastError ? t('connection.detailWithError', { realtime, socket, error: lastError }) : t('connection.detail', { realtime, socket });
  const Icon = props.banner ? ICONS[props.banner.problem] : null;
  return (
    <>
      <div className={`status status-${overall}`} role="status" data-status={overall} title={detail}>
        <span className="dot" aria-hidden="true" />
        <span>{t(`connection.state.${overall}`)}</span>
        {props.agentName && <span className="agent">· {props.agentName}</span>}
        {props.agentName && <AvailabilityPicker />}
        {overall !== 'live' && overall !== 'signed-out' && (
          <button type="button" onClick={props.onReconnect}>
            {t('connection.reconnect')}
          </button>
        )}
      </div>
      {props.banner && Icon && (
        <p className={`connection-banner banner-${props.banner.problem}`} role="alert" data-problem={props.banner.problem}>
          <Icon aria-hidden="true" />
          <span>
            <strong>{t(`banner.${props.banner.problem}.title`)}</strong> {t(`banner.${props.banner.problem}.detail`)}
          </span>
        </p>
      )}
    </>
  );
});
