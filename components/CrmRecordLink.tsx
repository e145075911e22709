import { ExternalLink } from 'lucide-react';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { CrmCandidate } from '@/lib/contract/api';
import { useCrmRecord } from '@/lib/hooks/useCrmRecord';

/**
 * "Open in HubSpot" on a conversation whose customer has a CRM record. When none has the number it
 * says so, with the two ways out: create a contact for the customer, or link them to a record the
 * agent finds.
 */
export function CrmRecordLink({ conversationId }: { conversationId: string }) {
  const { record, busy, error, createContact, link, search } = useCrmRecord(conversationId);
  const { t } = useTranslation('inbox');
  const [linking, setLinking] = useState(false);
  if (!record) return null;
  const vendor = record.vendorName;
  if (record.matched) {
    if (!record.recordUrl) return <span className="crm-record">{t('crm.in', { vendor })}</span>;
    return (
      <a className="crm-record" href={record.recordUrl} target="_blank" rel="noopener noreferrer">
        {t('crm.open', { vendor })} <ExternalLink aria-hidden="true" />
      </a>
    );
  }
  return (
    <span className="crm-record missing">
      <span>{t('crm.notIn', { vendor })}</span>{' '}
      <button type="button" className="link" disabled={busy} onClick={() => void createContact()}>
        {t('crm.create')}
      </button>{' '}
      <button type="button" className="link" disabled={busy} aria-expanded={linking} onClick={() => setLinking((v) => !v)}>
        {t('crm.linkToRecord')}
      </button>
      {error && (
        <span role="alert" className="error">
          {' '}
          {error}
        </span>
      )}
      {linking && <LinkRecord vendor={vendor} busy={busy} search={search} link={async (id) => (await link(id)) && setLinking(false)} />}
    </span>
  );
}

/** Finds the CRM's records by name, e-mail or phone, and links the one the agent picks. */
function LinkRecord({
  vendor,
  busy,
  search,
  link,
}: {
  vendor: string;
  busy: boolean;
  search: (q: string) => Promise<CrmCandidate[]>;
  link: (id: string) => Promise<unknown>;
}) {
  const { t } = useTranslation('inbox');
  const [query, setQuery] = useState('');
  const [found, setFound] = useState<CrmCandidate[] | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setFound(await search(query));
  };
  return (
    <div className="crm-link" role="group" aria-label={t('crm.linkLabel', { vendor })}>
      <form onSubmit={(e) => void submit(e)}>
        <input
          aria-label={t('crm.findLabel', { vendor })}
          placeholder={t('crm.findPlaceholder')}
          value={query}
          minLength={2}
          maxLength={100}
          required
          onChange={(e) => setQuery(e.target.value)}
        />
        <button type="submit" disabled={busy}>
          {t('crm.find')}
        </button>
      </form>
      {found && found.length === 0 && <p className="hint">{t('crm.noMatch', { vendor, query })}</p>}
      {found && found.length > 0 && (
        <ul aria-label={t('crm.records', { vendor })}>
          {found.map((c) => (
            <li key={c.id}>
              <span>{[c.name, c.email, c.phone].filter(Boolean).join(' · ')}</span>{' '}
              <button type="button" disabled={busy} onClick={() => void link(c.id)} aria-label={t('crm.linkRecord', { name: c.name })}>
                {t('crm.link')}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
