import { useCrmRecord } from '@/lib/hooks/useCrmRecord';

/** "Open in HubSpot" on a conversation whose customer has a CRM record; says so when none has the number. */
export function CrmRecordLink({ conversationId }: { conversationId: string }) {
  const record = useCrmRecord(conversationId);
  if (!record) return null;
  if (!record.matched) return <span className="crm-record missing">Not in {record.vendorName}</span>;
  if (!record.recordUrl) return <span className="crm-record">In {record.vendorName}</span>;
  return (
    <a className="crm-record" href={record.recordUrl} target="_blank" rel="noopener noreferrer">
      Open in {record.vendorName}
    </a>
  );
}
