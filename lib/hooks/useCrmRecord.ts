import { useEffect, useState } from 'react';
import type { CrmRecordView } from '../contract/api';
import { sendMessage, unwrap } from '../messaging/protocol';

/**
 * The customer's record in the organisation's CRM, for an open conversation: undefined while it is
 * asked, null when there is no CRM (or it did not answer: the thread works without it).
 */
export function useCrmRecord(conversationId: string): CrmRecordView | null | undefined {
  const [record, setRecord] = useState<CrmRecordView | null | undefined>(undefined);
  useEffect(() => {
    let live = true;
    setRecord(undefined);
    unwrap(sendMessage('crm:record', { conversationId })).then(
      (r) => live && setRecord(r),
      () => live && setRecord(null),
    );
    return () => {
      live = false;
    };
  }, [conversationId]);
  return record;
}
