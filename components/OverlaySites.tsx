import { getCountries } from 'libphonenumber-js';
import { useState, type FormEvent } from 'react';
import { browser } from 'wxt/browser';
import { BUILT_IN_SITES } from '@/lib/overlay/sites';
import { useStorageItem } from '@/lib/hooks/useStorageItem';
import { sendMessage } from '@/lib/messaging/protocol';
import { overlaySettingsItem, enabledSitesItem } from '@/lib/storage/items';
import { countryChoices } from './format';

const COUNTRIES = countryChoices(getCountries());

/** Where the CRM overlay runs: the built-in CRMs, sites the agent enabled, and the default country. */
export function OverlaySites() {
  const sites = useStorageItem(enabledSitesItem);
  const crm = useStorageItem(overlaySettingsItem);
  const [address, setAddress] = useState('');
  const [error, setError] = useState<string | null>(null);

  const enable = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    let origin: string;
    try {
      origin = new URL(/^https?:\/\//.test(address) ? address : `https://${address}`).origin;
    } catch {
      return setError('Enter a site address such as https://crm.example.com');
    }
    // Asked here, in the click that asked for it: the browser shows its own prompt.
    const granted = await browser.permissions.request({ origins: [`${origin}/*`] });
    if (!granted) return setError(`Switchboard was not allowed on ${origin}.`);
    const result = await sendMessage('sites:enable', { origin });
    if ('error' in result) return setError(result.error);
    setAddress('');
  };

  return (
    <section id="crm-badges" className="card" aria-labelledby="crm-badges-heading">
      <h2 id="crm-badges-heading">CRM badges</h2>
      <p>
        Badges next to phone numbers on{' '}
        {BUILT_IN_SITES.filter((s) => s.id !== 'demo')
          .map((s) => s.name)
          .join(', ')}
        {BUILT_IN_SITES.some((s) => s.id === 'demo') ? ' and the demo CRM' : ''}. Other sites only when you enable them.
      </p>
      {crm && (
        <label>
          Default country for numbers without a country code
          <select
            value={crm.defaultCountry}
            onChange={(e) => void overlaySettingsItem.setValue({ defaultCountry: e.target.value as typeof crm.defaultCountry })}
          >
            {COUNTRIES.map((c) => (
              <option key={c.code} value={c.code}>
                {c.name}
              </option>
            ))}
          </select>
        </label>
      )}
      <form aria-label="Enable on a site" onSubmit={(e) => void enable(e)}>
        <label>
          Site address
          <input
            type="text"
            inputMode="url"
            placeholder="https://crm.example.com"
            value={address}
            required
            onChange={(e) => setAddress(e.target.value.trim())}
          />
        </label>
        <button type="submit">Enable on this site</button>
        {error && <p role="alert">{error}</p>}
      </form>
      {sites && sites.length > 0 && (
        <ul aria-label="Enabled sites">
          {sites.map((origin) => (
            <li key={origin}>
              <span className="button-row">
                {origin}
                <button type="button" aria-label={`Turn off on ${origin}`} onClick={() => void sendMessage('sites:disable', { origin })}>
                  Turn off
                </button>
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
