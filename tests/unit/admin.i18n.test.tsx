import { act, cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { Channels } from '@/components/admin/Channels';
import { Localized } from '@/components/Localized';
import type { AdminOverview, WaitingNumber } from '@/lib/contract/api';
import { languageItem } from '@/lib/storage/items';

const waiting = (number: string, count: number): WaitingNumber => ({
  whatsappNumber: `whatsapp:${number}`,
  count,
  firstAt: '2026-03-18T09:00:00Z',
  lastAt: '2026-03-18T10:00:00Z',
  latest: { from: 'whatsapp:+14155550134', body: 'Hola' },
});
const overview = (counts: number[]) =>
  ({
    channels: [],
    webhookUrl: 'https://switchboard.test/webhooks/twilio/org-1',
    waiting: counts.map((n, i) => waiting(`+1737555${String(i).padStart(4, '0')}`, n)),
  }) as unknown as AdminOverview;

/** The admin view's channels, in the agent's language as the options page shows it. */
async function showChannels(language: 'ar' | 'es', counts: number[]) {
  await languageItem.setValue(language);
  const view = render(
    <Localized>
      <Channels data={overview(counts)} />
    </Localized>,
  );
  await screen.findByRole('region');
  return view;
}

afterEach(() => {
  cleanup();
  fakeBrowser.reset();
});

describe('the admin view in the agent’s language', () => {
  it('lays the channels out right to left in Arabic, with Arabic labels and its dual form', async () => {
    await showChannels('ar', [2]);
    expect(document.documentElement.dir).toBe('rtl');
    expect(document.documentElement.lang).toBe('ar');
    expect(screen.getByRole('heading', { level: 3 }).textContent).toBe('قنوات WhatsApp');
    expect(screen.getByLabelText('اسم القناة')).toBeTruthy();
    // Two messages: Arabic's dual ("رسالتان"), not "2 messages".
    expect(screen.getByRole('list', { name: 'أرقام لم تُعدّ بعد' }).textContent).toContain('رسالتان');
    expect(screen.getByRole('button', { name: 'إعداد +17375550000' })).toBeTruthy();
  });

  it('counts waiting messages with Spanish plurals, and follows a change of language at once', async () => {
    await showChannels('es', [1, 5]);
    expect(document.documentElement.dir).toBe('ltr');
    const numbers = screen.getByRole('list', { name: 'Números aún sin configurar' });
    const rows = [...numbers.querySelectorAll(':scope > li')].map((li) => li.textContent);
    expect(rows[0]).toContain('1 mensaje;');
    expect(rows[1]).toContain('5 mensajes;');
    await act(() => languageItem.setValue('en'));
    await screen.findByRole('list', { name: 'Numbers not set up yet' });
    expect(screen.getByRole('list', { name: 'Numbers not set up yet' }).textContent).toContain('5 messages, the latest');
    expect(document.documentElement.dir).toBe('ltr');
  });
});
