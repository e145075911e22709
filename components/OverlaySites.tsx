import { getCountries } from 'libphonenumber-js';
import { useMemo, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { browser } from 'wxt/browser';
import { BUILT_IN_SITES } from '@/lib/overlay/sites';
import { useFormat } from '@/lib/hooks/useFormat';
import { useStorageItem } from '@/lib/hooks/useStorageItem';
import { sendMessage } from '@/lib/messaging/protocol';
import { overlaySettingsItem, enabledSitesItem } from '@/lib/storage/items';
import { countryChoices } from './format';

const EXAMPLE_ADDRESS = 'https://crm.example.com';

/** Where the CRM overlay runs: the built-in CRMs, sites the agent enabled, and the default country. */
export function OverlaySites() {
  const { t } = useTranslation('admin');
  const { formats, language } = useFormat();
  const sites = useStorageItem(enabledSitesItem);
  const crm = useStorageItem(overlaySettingsItem);
  const [address, setAddress] = useState('');
  const [error, setError] = useState<string | null>(null);
  // Country names follow the agent's language, sorted in its order.
  const countries = useMemo(() => countryChoices(getCountries(), language), [language]);
  const builtIn = [
    ...BUILT_IN_SITES.filter((s) => s.id !== 'demo').map((s) => s.name),
    ...(BUILT_IN_SITES.some((s) => s.id === 'demo') ? [t('sites.demoCrm')] : []),
  ];

  const enable = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    let origin: string;
    try {
      origin = new URL(/^https?:\/\//.test(address) ? address : `https://${address}`).origin;
    } catch {
      return setError(t('sites.badAddress', { example: EXAMPLE_ADDRESS }));
    }
    // Asked here, in the click that asked for it: the browser shows its own prompt.
    const granted = await browser.permissions.request({ origins: [`${origin}/*`] });
    if (!granted) return setError(t('sites.notAllowed', { origin }));
    const result = await sendMessage('sites:enable', { origin });
    // The background's own words: shown as given.
    if ('error' in result) return setError(result.error);
    setAddress('');
  };

  return (
    <section id="crm-badges" className="card" aria-labelledby="crm-badges-heading">
      <h2 id="crm-badges-heading">{t('sites.heading')}</h2>
      <p>{t('sites.where', { sites: formats.list.format(builtIn) })}</p>
      {crm && (
        <label>
          {t('sites.defaultCountry')}
          <select
            value={crm.defaultCountry}
            onChange={(e) => void overlaySettingsItem.setValue({ defaultCountry: e.target.value as typeof crm.defaultCountry })}
          >
            {countries.map((c) => (
              <option key={c.code} value={c.code}>
                {c.name}
              </option>
            ))}
          </select>
        </label>
      )}
      <form aria-label={t('sites.form')} onSubmit={(e) => void enable(e)}>
        <label>
          {t('sites.address')}
          <input type="text" inputMode="url" placeholder={EXAMPLE_ADDRESS} value={address} required onChange={(e) => setAddress(e.target.value.trim())} />
        </label>
        <button type="submit">{t('sites.enable')}</button>
        {error && <p role="alert">{error}</p>}
      </form>
      {sites && sites.length > 0 && (
        <ul aria-label={t('sites.enabled')}>
          {sites.map((origin) => (
            <li key={origin}>
              <span className="button-row">
                {origin}
                <button type="button" aria-label={t('sites.turnOffOn', { origin })} onClick={() => void sendMessage('sites:disable', { origin })}>
                  {t('sites.turnOff')}
                </button>
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
