import { useCallback, useEffect, useState } from 'react';
import type { CrmCandidate, CrmRecordView } from '../contract/api';
import { sendMessage, unwrap } from '../messaging/protocol';

/**
 * The customer's record in the organisation's CRM, for an open conversation: undefined while it is
 * asked, null when there is no CRM (or it did not answer: the thread works without it). For a
 * customer no record matched: find records to link them to, link one, or create a contact.
 */
export function useCrmRecord(conversationId: string) {
  const [record, setRecord] = useState<CrmRecordView | null | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    setRecord(undefined);
    setError(null);
    unwrap(sendMessage('crm:record', { conversationId })).then(
      (r) => live && setRecord(r),
      () => live && setRecord(null),
    );
    return () => {
      live = false;
    };
  }, [conversationId]);

  /** Runs a change; its answer is the record now, its failure the error shown. */
  const change = useCallback(async <T>(p: Promise<T>): Promise<T | undefined> => {
    setBusy(true);
    setError(null);
    try {
      return await p;
    } catch (err) {
      setError((err as Error).message);
      return undefined;
    } finally {
      setBusy(false);
    }
  }, []);

  const createContact = useCallback(async () => {
    const r = await change(unwrap(sendMessage('crm:createContact', { conversationId })));
    if (r !== undefined) setRecord(r);
  }, [change, conversationId]);
  const link = useCallback(
    async (recordId: string) => {
      const r = await change(unwrap(sendMessage('crm:link', { conversationId, recordId })));
      if (r !== undefined) setRecord(r);
      return r !== undefined;
    },
    [change, conversationId],
  );
  const search = useCallback(
    async (query: string): Promise<CrmCandidate[]> => (await change(unwrap(sendMessage('crm:search', { conversationId, query })))) ?? [],
    [change, conversationId],
  );
  return { record, busy, error, createContact, link, search };
}
