import { useEffect } from 'react';
import { browser } from 'wxt/browser';
import { collabItem, collisionNotice, emptyCollab, typingIn } from '@/lib/collab/state';
import { connectionItem, initialStatus } from '@/lib/connection/status';
import { useNow } from '@/lib/hooks/useNow';
import { sortedConversations } from '@/lib/inbox/state';
import { agentItem, openConversationItem } from '@/lib/inbox/store';
import { useInbox } from '@/lib/hooks/useInbox';
import { useReportViewing } from '@/lib/hooks/useReportViewing';
import { useStorageItem } from '@/lib/hooks/useStorageItem';
import { sendMessage, unwrap } from '@/lib/messaging/protocol';
import { ConversationList } from './ConversationList';
import { StatusBar } from './StatusBar';
import { TeamBar } from './TeamBar';
import { Thread } from './Thread';

/** Stable across renders, so unchanged rows of the list do not re-render. */
const openConversation = (conversationId: string) => void sendMessage('inbox:openConversation', { conversationId });

/** The inbox in the side panel. First paint comes from the stored state, before any network answer. */
export function SidePanelApp() {
  const inbox = useInbox();
  const agent = useStorageItem(agentItem);
  const status = useStorageItem(connectionItem) ?? initialStatus();
  const openId = useStorageItem(openConversationItem) ?? null;
  const collab = useStorageItem(collabItem) ?? emptyCollab();
  const now = useNow(Object.values(collab.typing).some((list) => list.length > 0));
  useReportViewing(openId);
  const ready = inbox !== undefined && agent !== undefined;
  useEffect(() => {
    // When the inbox first shows from the cache (read by the benchmark's first-paint scenario).
    if (ready && performance.getEntriesByName('switchboard:inbox-rendered').length === 0) performance.mark('switchboard:inbox-rendered');
  }, [ready]);

  if (inbox === undefined || agent === undefined) return null;
  if (agent === null) {
    return (
      <main className="signed-out">
        <h1>Switchboard</h1>
        <p>Sign in to see your WhatsApp conversations.</p>
        <button type="button" onClick={() => void browser.runtime.openOptionsPage()}>
          Open settings and sign in
        </button>
      </main>
    );
  }
  const open = openId ? inbox.conversations[openId] : undefined;
  const typingNames = (conversationId: string) => typingIn(collab, conversationId, now, agent.id).map((t) => t.displayName);
  return (
    <main>
      <StatusBar status={status} agentName={agent.displayName} onReconnect={() => void sendMessage('connection:reconnect')} />
      <TeamBar agents={Object.values(collab.presence)} me={agent.id} />
      {open ? (
        <Thread
          conversation={open}
          messages={inbox.messages[open.id] ?? []}
          onBack={() => void openConversationItem.setValue(null)}
          collision={collisionNotice(collab, open.id, agent.id, now)}
          typing={typingNames(open.id)}
          onTyping={(typing) => void sendMessage('composer:typing', { conversationId: open.id, typing })}
          onSend={(content) => void sendMessage('composer:send', { conversationId: open.id, ...content })}
          onRetry={(messageId) => void sendMessage('composer:retry', { conversationId: open.id, messageId })}
          loadTemplates={() => unwrap(sendMessage('composer:templates', { conversationId: open.id })).then((r) => r.templates)}
          loadMedia={(messageId, index) => unwrap(sendMessage('media:get', { conversationId: open.id, messageId, index })).then((r) => r.dataUrl)}
        />
      ) : (
        <ConversationList
          conversations={sortedConversations(inbox)}
          selectedId={openId}
          typing={Object.fromEntries(Object.keys(collab.typing).map((id) => [id, typingNames(id)]))}
          onOpen={openConversation}
        />
      )}
    </main>
  );
}
