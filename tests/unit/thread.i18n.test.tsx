import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { Composer } from '@/components/Composer';
import { Localized } from '@/components/Localized';
import { MessageBubble } from '@/components/MessageBubble';
import type { MessageView } from '@/lib/contract/models';
import { pendingMessage } from '@/lib/inbox/store';
import { languageItem } from '@/lib/storage/items';
import { inLanguage } from '../support/i18n';
import { message as view } from '../support/views';

const NOW = Date.parse('2026-11-25T12:00:00Z');
const hoursAgo = (h: number) => new Date(NOW - h * 3600_000).toISOString();
const composer = (props: Partial<Parameters<typeof Composer>[0]> = {}) => (
  <Composer
    lastInboundAt={hoursAgo(1)}
    now={NOW}
    cannedReplies={[]}
    onTyping={() => {}}
    onSend={() => {}}
    onNote={() => {}}
    loadTemplates={async () => []}
    {...props}
  />
);
const file = (name: string, type: string, size = 2048) => new File([new Uint8Array(size)], name, { type });

const bubble = (m: MessageView) => (
  <MessageBubble
    message={m}
    waiting={false}
    author={null}
    onRetry={() => {}}
    loadMedia={() => new Promise(() => {})}
    linkMedia={() => new Promise(() => {})}
    onMarkUnread={() => {}}
    onJumpTo={() => {}}
    onOpenPhone={() => {}}
    onUseTemplate={() => {}}
  />
);

afterEach(() => {
  cleanup();
  fakeBrowser.reset();
});

describe('the composer in the agent’s language', () => {
  it('lays the composer out right to left in Arabic, in Arabic, while the agent’s own text keeps its direction', async () => {
    await languageItem.setValue('ar');
    render(<Localized>{composer({ lastInboundAt: hoursAgo(23) })}</Localized>);
    const box = (await screen.findByLabelText('رد')) as HTMLTextAreaElement;
    expect(document.documentElement.dir).toBe('rtl');
    expect(document.documentElement.lang).toBe('ar');
    expect(box.placeholder).toBe('اكتب ردًا… ("/" للردود المحفوظة)');
    expect(box.dir).toBe('auto'); // Latin text typed in an Arabic page reads left to right
    expect(screen.getByRole('button', { name: 'ملاحظة خاصة' })).toBeTruthy();
    expect(screen.getByRole('note').textContent).toMatch(/^تُغلق نافذة الـ24 ساعة عند .+؛ وبعدها لا يمكن إرسال سوى القوالب\.$/);
    expect(document.body.textContent).not.toMatch(/Reply|window|Attach/);
  });

  it('counts the files still uploading with Spanish plurals, and says their sizes the Spanish way', async () => {
    const onSend = vi.fn();
    render(composer({ onSend, uploadTicket: () => new Promise(() => {}) }), { wrapper: inLanguage('es') });
    const box = screen.getByLabelText('Responder');
    const pick = screen.getByLabelText('Archivos para enviar');
    fireEvent.change(pick, { target: { files: [file('factura.pdf', 'application/pdf', 4.4 * 1024 * 1024)] } });
    await act(async () => {});
    expect(screen.getByRole('progressbar', { name: 'Subiendo factura.pdf' })).toBeTruthy();
    expect(screen.getByRole('list', { name: 'Archivos adjuntos' }).textContent).toContain('4,4 MB');
    fireEvent.change(box, { target: { value: 'Su factura' } });
    fireEvent.keyDown(box, { key: 'Enter' });
    expect(screen.getByRole('status').textContent).toBe('Espera a que termine de subirse el archivo y luego envía.');
    fireEvent.change(pick, { target: { files: [file('a.png', 'image/png'), file('b.png', 'image/png')] } });
    await act(async () => {});
    fireEvent.keyDown(box, { key: 'Enter' });
    expect(screen.getByRole('status').textContent).toBe('Espera a que terminen de subirse los 3 archivos y luego envía.');
    expect(onSend).not.toHaveBeenCalled();
  });

  it('says in Spanish why a file cannot go, and which files block sending', async () => {
    render(composer({ uploadTicket: () => new Promise(() => {}) }), { wrapper: inLanguage('es') });
    fireEvent.change(screen.getByLabelText('Archivos para enviar'), { target: { files: [file('notas.zip', 'application/zip')] } });
    await act(async () => {});
    expect(screen.getByRole('alert').textContent).toMatch(/^notas\.zip: WhatsApp no admite este tipo de archivo \(application\/zip\)\./);
    const box = screen.getByLabelText('Responder');
    fireEvent.change(box, { target: { value: 'Hola' } });
    fireEvent.keyDown(box, { key: 'Enter' });
    expect(screen.getByRole('status').textContent).toBe('Quita o vuelve a intentar el archivo que no se pudo subir y luego envía.');
  });
});

describe('message bubbles in the agent’s language', () => {
  it('explains a failed message in Portuguese, with the next step, and keeps Twilio’s own words for an unknown code', () => {
    const { unmount } = render(bubble(view('m1', { direction: 'outbound', status: 'failed', errorCode: 63016, sentBy: 'a1', body: 'Olá' })), {
      wrapper: inLanguage('pt-BR'),
    });
    expect(screen.getByRole('alert').textContent).toContain('Não entregue: Passaram-se mais de 24 horas');
    expect(screen.getByRole('button', { name: 'Enviar um modelo' })).toBeTruthy();
    unmount();
    render(bubble(view('m1', { direction: 'outbound', status: 'failed', errorCode: 12345, errorMessage: 'Odd carrier reply', sentBy: 'a1', body: 'Olá' })), {
      wrapper: inLanguage('pt-BR'),
    });
    expect(screen.getByRole('alert').textContent).toContain('Não entregue: Odd carrier reply');
    expect(screen.getByRole('button', { name: 'Tentar de novo' })).toBeTruthy();
  });

  it('gives the customer’s words their own direction inside an Arabic page', () => {
    render(
      bubble(
        view('m1', { body: 'My order is late', location: { latitude: 1, longitude: 2, label: 'Café Central', address: null } as MessageView['location'] }),
      ),
      {
        wrapper: inLanguage('ar'),
      },
    );
    expect(screen.getByText('My order is late').getAttribute('dir')).toBe('auto');
    expect(screen.getByText('Café Central').getAttribute('dir')).toBe('auto');
    expect(screen.getByRole('button', { name: 'تعليم كغير مقروءة من هنا' })).toBeTruthy();
  });

  it('calls the outbox’s copy of a template “Template message” in the agent’s language', () => {
    const pending = pendingMessage({
      id: 'p1',
      conversationId: 'c1',
      content: { template: { sid: 'HX' + '1'.repeat(32), variables: {} } },
      createdAt: hoursAgo(0),
    } as Parameters<typeof pendingMessage>[0]);
    expect(pending.body).toBe('');
    render(bubble(pending), { wrapper: inLanguage('es') });
    expect(screen.getByText('Mensaje de plantilla')).toBeTruthy();
  });
});
