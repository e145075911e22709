import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { useStorageItem } from '@/lib/hooks/useStorageItem';
import { sendMessage } from '@/lib/messaging/protocol';
import { adminItem, agentItem } from '@/lib/storage/items';
import { AuditLog } from './admin/AuditLog';
import { CannedReplies } from './admin/CannedReplies';
import { Channels } from './admin/Channels';
import { CrmSection } from './admin/Crm';
import { Invitations } from './admin/Invitations';
import { Team } from './admin/Team';
import { Teams } from './admin/Teams';
import { useAdminAction } from './admin/useAdminAction';

/**
 * The admin view (admins only; the server refuses agents anyway): the team with roles, invitations,
 * canned replies, channels with the webhook URL for Twilio, numbers with messages waiting to be set
 * up, and the audit log. Live: another admin's change, or a message for a number not set up,
 * shows here without reloading.
 */
export function AdminView() {
  const me = useStorageItem(agentItem);
  const data = useStorageItem(adminItem);
  const { error, run } = useAdminAction();
  const { t } = useTranslation('admin');
  useEffect(() => {
    if (me?.role === 'admin') void sendMessage('admin:refresh');
  }, [me?.role]);
  if (me?.role !== 'admin') return null;
  if (!data) return <p>{t('view.loading')}</p>;
  return (
    <section className="admin" aria-labelledby="admin-heading">
      <h2 id="admin-heading" className="admin-heading">
        {t('view.heading')}
      </h2>
      {/* The server's own words (its errors are English): shown as given. */}
      {error && <p role="alert">{error}</p>}
      <Team data={data} me={me} run={run} />
      <Invitations data={data} run={run} />
      <CannedReplies data={data} run={run} />
      <Channels data={data} />
      <Teams data={data} run={run} />
      <CrmSection crm={data.crm} run={run} />
      <AuditLog data={data} />
    </section>
  );
}
