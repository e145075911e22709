import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import type { TFunction } from 'i18next';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Row, rowWords } from '@/components/ConversationRow';
import { createI18n } from '@/lib/i18n';
import { dates } from '@/lib/i18n/format';
import { conversation } from '../support/views';

/**
 * The list gives a row's element to another conversation when one leaves the page and another
 * comes in (components/ConversationList.tsx): a click pressed on the first and released on the
 * second must open (or pick) neither by mistake.
 */
describe('a row whose element changed hands under the pointer', () => {
  afterEach(cleanup);
  const words = rowWords(createI18n('en').getFixedT('en', 'inbox') as TFunction<'inbox'>, dates('en'));
  const ada = conversation('ada', { contact: { id: 'ct-ada', phone: '+14155550101', profileName: 'Ada' } });
  const ben = conversation('ben', { contact: { id: 'ct-ben', phone: '+14155550102', profileName: 'Ben' } });
  const row = (c: typeof ada, handlers: { onOpen: () => void; onCheck: () => void }, selecting = false) => (
    <Row
      conversation={c}
      selected={false}
      tabbable
      typing={undefined}
      assignee={null}
      match={undefined}
      showStatus={false}
      author={null}
      waited={null}
      due={null}
      selecting={selecting}
      checked={false}
      onCheck={handlers.onCheck}
      onOpen={handlers.onOpen}
      onFocus={() => {}}
      onKeyDown={() => {}}
      words={words}
    />
  );

  it('opens nothing when the press began on another conversation (mouse: down, up, click)', () => {
    const handlers = { onOpen: vi.fn(), onCheck: vi.fn() };
    const { rerender } = render(row(ada, handlers));
    const button = screen.getByRole('button');
    fireEvent.pointerDown(button);
    rerender(row(ben, handlers)); // the element now shows Ben
    fireEvent.pointerUp(button);
    fireEvent.click(button, { detail: 1 });
    expect(handlers.onOpen).not.toHaveBeenCalled();
    // The next click, pressed and released on Ben, opens Ben.
    fireEvent.pointerDown(button);
    fireEvent.pointerUp(button);
    fireEvent.click(button, { detail: 1 });
    expect(handlers.onOpen).toHaveBeenCalledWith('ben', false);
  });

  it('opens nothing for a touch that began on another conversation (down, up, leave, click)', () => {
    const handlers = { onOpen: vi.fn(), onCheck: vi.fn() };
    const { rerender } = render(row(ada, handlers));
    const button = screen.getByRole('button');
    fireEvent.pointerDown(button, { pointerType: 'touch' });
    rerender(row(ben, handlers));
    fireEvent.pointerUp(button, { pointerType: 'touch' });
    fireEvent.pointerLeave(button, { pointerType: 'touch' });
    fireEvent.click(button, { detail: 1 });
    expect(handlers.onOpen).not.toHaveBeenCalled();
  });

  it('opens the conversation pressed and released on, and by the keyboard whatever the pointer did', () => {
    const handlers = { onOpen: vi.fn(), onCheck: vi.fn() };
    const { rerender } = render(row(ada, handlers));
    const button = screen.getByRole('button');
    fireEvent.pointerDown(button);
    fireEvent.pointerUp(button);
    fireEvent.click(button, { detail: 1 });
    expect(handlers.onOpen).toHaveBeenLastCalledWith('ada', false);
    // A press on Ada released after the element went to Ben, with no click; then Enter on Ben.
    fireEvent.pointerDown(button);
    rerender(row(ben, handlers));
    fireEvent.pointerUp(button);
    fireEvent.click(button, { detail: 0 });
    expect(handlers.onOpen).toHaveBeenLastCalledWith('ben', true);
  });

  it('picks nothing with a checkbox pressed on another conversation; Space picks whatever the pointer did', () => {
    const handlers = { onOpen: vi.fn(), onCheck: vi.fn() };
    const { rerender } = render(row(ada, handlers, true));
    const box = screen.getByRole('checkbox');
    fireEvent.pointerDown(box);
    rerender(row(ben, handlers, true));
    fireEvent.pointerUp(box);
    fireEvent.click(box, { detail: 1 });
    expect(handlers.onCheck).not.toHaveBeenCalled();
    // A leftover press from Ada on the element now Ben's, then Space on Ben: picked.
    rerender(row(ada, handlers, true));
    fireEvent.pointerDown(box);
    rerender(row(ben, handlers, true));
    fireEvent.pointerUp(box);
    fireEvent.click(box, { detail: 0 });
    expect(handlers.onCheck).toHaveBeenCalledWith('ben', true);
  });
});
