import { browser } from 'wxt/browser';
import { connectionItem, initialStatus } from '@/lib/connection/status';
import { sortedConversations } from '@/lib/inbox/state';
import { agentItem, inboxItem, openConversationItem } from '@/lib/inbox/store';
import { useReportViewing } from '@/lib/hooks/useReportViewing';
import { useStorageItem } from '@/lib/hooks/useStorageItem';
import { sendMessage } from '@/lib/messaging/protocol';
import { ConversationList } from './ConversationList';
import { StatusBar } from './StatusBar';
import { Thread } from './Thread';

/** The inbox in the side panel. First paint comes from the stored state, before any network answer. */
export function SidePanelApp() {
  const inbox = useStorageItem(inboxItem);
  const agent = useStorageItem(agentItem);
  const status = useStorageItem(connectionItem) ?? initialStatus();
  const openId = useStorageItem(openConversationItem) ?? null;
  useReportViewing(openId);

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
  return (
    <main>
      <StatusBar status={status} agentName={agent.displayName} onReconnect={() => void sendMessage('connection:reconnect')} />
      {open ? (
        <Thread conversation={open} messages={inbox.messages[open.id] ?? []} onBack={() => void openConversationItem.setValue(null)} />
      ) : (
        <ConversationList
          conversations={sortedConversations(inbox)}
          selectedId={openId}
          onOpen={(conversationId) => void sendMessage('inbox:openConversation', { conversationId })}
        />
      )}
    </main>
  );
}
