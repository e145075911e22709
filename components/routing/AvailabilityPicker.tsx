import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { AVAILABILITIES, type Availability } from '@/lib/contract/routing';
import { useStorageItem } from '@/lib/hooks/useStorageItem';
import { sendMessage } from '@/lib/messaging/protocol';
import { availabilityOf } from '@/lib/routing/overview';
import { agentItem, routingItem } from '@/lib/storage/items';

/**
 * The agent's own availability beside their name: only available (and connected) agents receive
 * new conversations (docs/routing.md). Shown once routing's overview has been read.
 */
export function AvailabilityPicker() {
  const { t } = useTranslation('routing');
  const agent = useStorageItem(agentItem);
  const routing = useStorageItem(routingItem);
  const [error, setError] = useState<string | null>(null);
  const current = agent ? availabilityOf(routing, agent.id) : null;
  if (!current) return null;
  const choose = async (availability: Availability) => {
    setError(null);
    const r = await sendMessage('routing:setAvailability', { availability });
    if ('error' in r) setError(r.error);
  };
  return (
    <>
      <select
        className={`availability availability-${current}`}
        aria-label={t('availability.label')}
        value={current}
        data-availability={current}
        onChange={(e) => void choose(e.target.value as Availability)}
      >
        {AVAILABILITIES.map((a) => (
          <option key={a} value={a}>
            {t(`availability.${a}`)}
          </option>
        ))}
      </select>
      {error && (
        <span className="availability-error" role="alert">
          {t('availability.failed', { error })}
        </span>
      )}
    </>
  );
}
