import { act, cleanup, fireEvent, render as renderIn, screen } from '@testing-library/react';
import type { ReactElement } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Composer } from '@/components/Composer';
import { replyWindow, type TemplateView } from '@/lib/contract/reply-window';
import { inLanguage } from '../support/i18n';

const NOW = Date.parse('2026-11-25T12:00:00Z');
const hoursAgo = (h: number) => new Date(NOW - h * 3600_000).toISOString();
const TEMPLATES: TemplateView[] = [
  {
    sid: 'HX' + '2'.repeat(32),
    name: 'order_update',
    language: 'en',
    body: 'Hello {{1}}, your order {{2}} has shipped.',
    variables: { '1': 'customer', '2': '0000' },
    labels: { '1': 'Customer name', '2': 'Order number' },
  },
];

const CANNED = [
  { id: '1', shortcut: 'hello', body: 'Hi! How can I help?' },
  { id: '2', shortcut: 'hours', body: 'We are open 9:00 to 18:00.' },
  { id: '3', shortcut: 'thanks', body: 'Thank you for your order!' },
];
const base = { cannedReplies: CANNED, onNote: () => {} };

afterEach(cleanup);
const english = inLanguage('en');
const render = (ui: ReactElement) => renderIn(ui, { wrapper: english });

describe('the reply window', () => {
  it('is open for 24 hours after the customer’s last message, closed before any', () => {
    expect(replyWindow(hoursAgo(23.9), NOW)).toEqual({ open: true, closesAt: '2026-11-25T12:06:00.000Z' });
    expect(replyWindow(hoursAgo(24), NOW).open).toBe(false);
    expect(replyWindow(null, NOW)).toEqual({ open: false, closesAt: null });
  });
});

describe('Composer', () => {
  it('sends text with Enter inside the window, and warns when the window is about to close', () => {
    const onSend = vi.fn();
    render(<Composer {...base} lastInboundAt={hoursAgo(23)} now={NOW} onTyping={() => {}} onSend={onSend} loadTemplates={async () => []} />);
    expect(screen.getByRole('note').textContent).toMatch(/window closes at/);
    const box = screen.getByLabelText('Reply');
    fireEvent.change(box, { target: { value: 'On my way' } });
    fireEvent.keyDown(box, { key: 'Enter' });
    expect(onSend).toHaveBeenCalledWith({ body: 'On my way' });
  });

  it('attaches a file by URL (only an http(s) one)', () => {
    const onSend = vi.fn();
    render(<Composer {...base} lastInboundAt={hoursAgo(1)} now={NOW} onTyping={() => {}} onSend={onSend} loadTemplates={async () => []} />);
    fireEvent.click(screen.getByRole('button', { name: 'Attach a file by URL' }));
    const box = screen.getByLabelText('Reply');
    fireEvent.change(screen.getByLabelText('File or image URL'), { target: { value: 'javascript:alert(1)' } });
    fireEvent.keyDown(box, { key: 'Enter' });
    expect(onSend).not.toHaveBeenCalled();
    fireEvent.change(screen.getByLabelText('File or image URL'), { target: { value: 'https://files.example.com/invoice.pdf' } });
    fireEvent.change(box, { target: { value: 'Your invoice' } });
    fireEvent.keyDown(box, { key: 'Enter' });
    expect(onSend).toHaveBeenCalledWith({ body: 'Your invoice', mediaUrl: 'https://files.example.com/invoice.pdf' });
  });

  it('says nothing about the window while it has hours left', () => {
    render(<Composer {...base} lastInboundAt={hoursAgo(1)} now={NOW} onTyping={() => {}} onSend={() => {}} loadTemplates={async () => []} />);
    expect(screen.queryByRole('note')).toBeNull();
  });

  it('outside the window offers templates only: variables filled by what they mean, previewed, then sent', async () => {
    const onSend = vi.fn();
    render(<Composer {...base} lastInboundAt={hoursAgo(30)} now={NOW} onTyping={() => {}} onSend={onSend} loadTemplates={async () => TEMPLATES} />);
    expect(screen.queryByLabelText('Reply')).toBeNull();
    expect(screen.getByRole('note').textContent).toMatch(/window closed at .* approved template/);
    await act(async () => {});
    const send = screen.getByRole('button', { name: 'Send template' }) as HTMLButtonElement;
    expect(send.disabled).toBe(true); // variables missing
    expect(document.querySelector('.template-preview')!.textContent).toBe('Hello Customer name, your order Order number has shipped.');
    fireEvent.change(screen.getByLabelText('Customer name'), { target: { value: 'Ana' } });
    fireEvent.change(screen.getByLabelText('Order number'), { target: { value: 'A-77' } });
    expect(screen.getByText('Hello Ana, your order A-77 has shipped.')).toBeTruthy();
    fireEvent.click(send);
    expect(onSend).toHaveBeenCalledWith({ template: { sid: TEMPLATES[0]!.sid, variables: { '1': 'Ana', '2': 'A-77' } } });
  });

  it('calls a template’s unlabelled variables by their place, never {{1}}', async () => {
    const unlabelled = [{ ...TEMPLATES[0]!, labels: {} }];
    render(<Composer {...base} lastInboundAt={hoursAgo(30)} now={NOW} onTyping={() => {}} onSend={() => {}} loadTemplates={async () => unlabelled} />);
    await act(async () => {});
    expect(screen.getByLabelText('Value 1')).toBeTruthy();
    expect(screen.getByLabelText('Value 2')).toBeTruthy();
    expect(document.body.textContent).not.toContain('{{');
  });

  it('explains when templates cannot be loaded', async () => {
    render(
      <Composer
        {...base}
        lastInboundAt={null}
        now={NOW}
        onTyping={() => {}}
        onSend={() => {}}
        loadTemplates={() => Promise.reject(new Error('server away'))}
      />,
    );
    await act(async () => {});
    expect(screen.getByRole('alert').textContent).toBe('Templates unavailable: server away');
    expect(screen.getByRole('note').textContent).toMatch(/has not written yet/);
  });

  it('Shift+Enter starts a new line; Enter sends the whole text', () => {
    const onSend = vi.fn();
    render(<Composer {...base} lastInboundAt={hoursAgo(1)} now={NOW} onTyping={() => {}} onSend={onSend} loadTemplates={async () => []} />);
    const box = screen.getByLabelText('Reply');
    fireEvent.change(box, { target: { value: 'Line one' } });
    fireEvent.keyDown(box, { key: 'Enter', shiftKey: true });
    expect(onSend).not.toHaveBeenCalled();
    fireEvent.change(box, { target: { value: 'Line one\nLine two' } });
    fireEvent.keyDown(box, { key: 'Enter' });
    expect(onSend).toHaveBeenCalledWith({ body: 'Line one\nLine two' });
    expect((box as HTMLTextAreaElement).value).toBe('');
  });

  it('offers canned replies after "/": arrows choose, Enter inserts (without sending), Escape closes only the list', () => {
    const onSend = vi.fn();
    const outside = vi.fn();
    document.addEventListener('keydown', outside);
    render(<Composer {...base} lastInboundAt={hoursAgo(1)} now={NOW} onTyping={() => {}} onSend={onSend} loadTemplates={async () => []} />);
    const box = screen.getByLabelText('Reply') as HTMLTextAreaElement;
    fireEvent.change(box, { target: { value: '/h' } });
    const options = screen.getAllByRole('option');
    expect(options.map((o) => o.textContent)).toEqual(['/hello Hi! How can I help?', '/hours We are open 9:00 to 18:00.']);
    expect(box.getAttribute('aria-controls')).toBe(screen.getByRole('listbox').id);
    expect(box.getAttribute('aria-activedescendant')).toBe(options[0]!.id);
    fireEvent.keyDown(box, { key: 'ArrowDown' });
    expect(screen.getAllByRole('option')[1]!.getAttribute('aria-selected')).toBe('true');
    fireEvent.keyDown(box, { key: 'Enter' });
    expect(box.value).toBe('We are open 9:00 to 18:00.');
    expect(onSend).not.toHaveBeenCalled();
    expect(screen.queryByRole('listbox')).toBeNull();
    fireEvent.keyDown(box, { key: 'Enter' });
    expect(onSend).toHaveBeenCalledWith({ body: 'We are open 9:00 to 18:00.' });

    fireEvent.change(box, { target: { value: '/order' } }); // matches by text too
    expect(screen.getAllByRole('option').map((o) => o.textContent)).toEqual(['/thanks Thank you for your order!']);
    fireEvent.keyDown(box, { key: 'Escape' });
    expect(screen.queryByRole('listbox')).toBeNull();
    expect(outside).not.toHaveBeenCalledWith(expect.objectContaining({ key: 'Escape' }));
    expect(box.value).toBe('/order');
    document.removeEventListener('keydown', outside);
  });

  it('writes private notes, even after the window closed; notes never go to the customer', () => {
    const onSend = vi.fn();
    const onNote = vi.fn();
    render(<Composer {...base} onNote={onNote} lastInboundAt={hoursAgo(30)} now={NOW} onTyping={() => {}} onSend={onSend} loadTemplates={async () => []} />);
    fireEvent.click(screen.getByRole('button', { name: 'Private note' }));
    const box = screen.getByLabelText('Private note');
    fireEvent.change(box, { target: { value: 'Called them, refund approved' } });
    fireEvent.keyDown(box, { key: 'Enter' });
    expect(onNote).toHaveBeenCalledWith('Called them, refund approved');
    expect(onSend).not.toHaveBeenCalled();
    expect(screen.queryByRole('button', { name: 'Attach a file by URL' })).toBeNull();
  });
});
