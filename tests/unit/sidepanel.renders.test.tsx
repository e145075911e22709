import { cleanup, render, screen, waitFor } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing';
import type { InboxState } from '@/lib/inbox/state';
import type { PanelNotice } from '@/lib/messaging/protocol';
import { agentItem } from '@/lib/storage/items';
import { conversation } from '../support/views';
import { inLanguage } from '../support/i18n';

/**
 * What renders in the side panel for a message: the list and the row it changes, not the panel
 * around them (issue 34: a render per message in about a millisecond). The panel's shell is
 * counted by its keyboard hook, which it calls once per render.
 */
const shell = vi.hoisted(() => ({ renders: 0 }));
vi.mock('@/lib/hooks/useInboxKeyboard', async (original) => {
  const real = await original<typeof import('@/lib/hooks/useInboxKeyboard')>();
  return {
    ...real,
    useInboxKeyboard: (keys: Parameters<typeof real.useInboxKeyboard>[0]) => {
      shell.renders++;
      real.useInboxKeyboard(keys);
    },
  };
});

/** The worker's end of the panel's port: what it sends, the panel receives. */
function workerPort() {
  const listeners: Array<(notice: PanelNotice) => void> = [];
  const port = {
    name: 'panel',
    onMessage: { addListener: (l: (notice: PanelNotice) => void) => listeners.push(l), removeListener: () => {} },
    onDisconnect: { addListener: () => {}, removeListener: () => {} },
    postMessage: () => {},
    disconnect: () => {},
  };
  vi.spyOn(fakeBrowser.runtime, 'connect').mockImplementation(() => port as never);
  return { send: (notice: PanelNotice) => void listeners.forEach((l) => l(notice)) };
}

describe('the side panel renders for a message', () => {
  beforeEach(() => {
    // Not in happy-dom: the panel preloads the thread's chunk when idle (nothing to do here).
    vi.stubGlobal('requestIdleCallback', () => 0);
    vi.stubGlobal('cancelIdleCallback', () => {});
    fakeBrowser.reset();
    shell.renders = 0;
  });
  afterEach(() => {
    cleanup();
    vi.unstubAllGlobals();
    vi.restoreAllMocks();
  });

  it('the list and the changed row, not the panel around them', async () => {
    await agentItem.setValue({ id: 'a1', organisationId: 'o1', displayName: 'Ana', email: null, role: 'agent' });
    const worker = workerPort();
    const { SidePanelApp } = await import('@/components/SidePanelApp');
    render(<SidePanelApp />, { wrapper: inLanguage('en') });
    const conversations = Object.fromEntries(
      ['c1', 'c2', 'c3'].map((id, i) => [
        id,
        conversation(id, {
          lastMessagePreview: `first ${id}`,
          lastMessageAt: `2026-11-25T10:0${i}:00.000Z`,
          contact: { id: `ct-${id}`, phone: `+1415555013${i}`, profileName: `Customer ${id}` },
        }),
      ]),
    );
    const state: InboxState = { cursor: '1', conversations, messages: {}, seen: [], seq: 1 };
    worker.send({ type: 'snapshot', state });
    await waitFor(() => expect(screen.getByText('first c1')).toBeTruthy());
    const before = shell.renders;

    // A customer writes again in c1: its row shows the new text, on top.
    for (let seq = 2; seq <= 6; seq++) {
      const c1 = {
        ...conversations.c1!,
        lastMessagePreview: `again ${seq}`,
        lastMessageAt: `2026-11-25T11:0${seq}:00.000Z`,
        inboundCount: seq,
        unreadCount: seq,
      };
      worker.send({
        type: 'patch',
        patch: { seq, cursor: String(seq), conversations: { c1 }, removedConversations: [], messages: {}, threads: {}, removedThreads: [] },
      });
      await waitFor(() => expect(screen.getByText(`again ${seq}`)).toBeTruthy());
    }
    expect(screen.queryByText('first c1')).toBeNull();
    // Five messages: the row showed each, and the panel around the list did not render once.
    expect(shell.renders - before).toBe(0);
  });
});
