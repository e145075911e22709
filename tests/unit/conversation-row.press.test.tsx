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

  it('opens nothing when the press began on another conversation', () => {
    const handlers = { onOpen: vi.fn(), onCheck: vi.fn() };
    const { rerender } = render(row(ada, handlers));
    const button = screen.getByRole('button');
    fireEvent.pointerDown(button);
    rerender(row(ben, handlers)); // the element now shows Ben
    fireEvent.click(button, { detail: 1 });
    expect(handlers.onOpen).not.toHaveBeenCalled();
    // The next click, pressed and released on Ben, opens Ben.
    fireEvent.pointerDown(button);
    fireEvent.click(button, { detail: 1 });
    expect(handlers.onOpen).toHaveBeenCalledWith('ben', false);
  });

  it('opens the conversation pressed and released on, and by the keyboard whatever the pointer did', () => {
    const handlers = { onOpen: vi.fn(), onCheck: vi.fn() };
    const { rerender } = render(row(ada, handlers));
    const button = screen.getByRole('button');
    fireEvent.pointerDown(button);
    fireEvent.click(button, { detail: 1 });
    expect(handlers.onOpen).toHaveBeenLastCalledWith('ada', false);
    fireEvent.pointerDown(button);
    rerender(row(ben, handlers));
    fireEvent.click(button, { detail: 0 }); // Enter on Ben
    expect(handlers.onOpen).toHaveBeenLastCalledWith('ben', true);
  });

  it('picks nothing with a checkbox pressed on another conversation; a press that left the box is forgotten', () => {
    const handlers = { onOpen: vi.fn(), onCheck: vi.fn() };
    const { rerender } = render(row(ada, handlers, true));
    const box = screen.getByRole('checkbox');
    fireEvent.pointerDown(box);
    rerender(row(ben, handlers, true));
    fireEvent.click(box);
    expect(handlers.onCheck).not.toHaveBeenCalled();
    fireEvent.pointerDown(box);
    fireEvent.pointerLeave(box);
    rerender(row(ada, handlers, true));
    fireEvent.click(box); // Space on Ada, after a press that was dragged away
    expect(handlers.onCheck).toHaveBeenCalledWith('ada', true);
  });
});
