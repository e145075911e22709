import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import type { ReplyContent } from '../api/client';
import type { LoadedMedia, MediaLink, UploadTicket } from '../contract/api';
import type { ConversationStatus, MessageView } from '../contract/models';
import type { TemplateView } from '../contract/reply-window';
import type { CapacityWarning } from '../contract/routing';
import { sendMessage, unwrap } from '../messaging/protocol';

/** Everything an agent can do in one conversation, as requests to the background. */
export interface ConversationIntents {
  typing(typing: boolean): void;
  send(content: ReplyContent): void;
  note(body: string): void;
  retry(messageId: string): void;
  /** Assigns (or unassigns); resolves to why it failed, or the warning of an assignment made above the assignee's capacity. */
  assign(assigneeId: string | null): Promise<{ error: string | null; warning: CapacityWarning | null }>;
  /** Resolve, reopen or snooze; resolves to a sentence saying what went wrong, or null. */
  setStatus(status: ConversationStatus, snoozedUntil: string | null): Promise<string | null>;
  /** Mark unread from a message down (or from the latest customer message); a sentence on failure, or null. */
  markUnread(fromMessageId: string | null): Promise<string | null>;
  templates(): Promise<TemplateView[]>;
  /** A message's media file as a data: URL, with its name and size (the background holds the token). */
  media(messageId: string, index: number): Promise<LoadedMedia>;
  /** A link to a message's file that works without signing in, until it expires. */
  mediaLink(messageId: string, index: number): Promise<MediaLink>;
  /** A page of messages older than `before`, newest first. */
  older(before: string): Promise<{ messages: MessageView[]; hasMore: boolean }>;
  /** Where to upload one file (a URL with a short-lived ticket). */
  uploadTicket(): Promise<UploadTicket>;
}

/** The intents of the conversation on screen, stable while it stays open (rows and the composer do not re-render for them). */
export function useConversationIntents(conversationId: string): ConversationIntents {
  const { t } = useTranslation('inbox');
  return useMemo(
    () => ({
      typing: (typing) => void sendMessage('composer:typing', { conversationId, typing }),
      send: (content) => void sendMessage('composer:send', { conversationId, ...content }),
      note: (body) => void sendMessage('composer:note', { conversationId, body }),
      retry: (messageId) => void sendMessage('composer:retry', { conversationId, messageId }),
      assign: async (assigneeId) => {
        const r = await sendMessage('inbox:assign', { conversationId, assigneeId });
        return 'error' in r ? { error: r.error, warning: null } : { error: null, warning: r.data.warning };
      },
      setStatus: async (status, snoozedUntil) => {
        const r = await sendMessage('inbox:setStatus', { conversationIds: [conversationId], status, snoozedUntil });
        if ('error' in r) return r.error;
        if (r.data.newMessages) return t('thread.wroteMeanwhile');
        if (r.data.notFound) return t('thread.gone');
        return null;
      },
      markUnread: async (fromMessageId) => {
        const r = await sendMessage('inbox:markUnread', { conversationId, fromMessageId });
        return 'error' in r ? r.error : null;
      },
      templates: () => unwrap(sendMessage('composer:templates', { conversationId })).then((r) => r.templates),
      media: (messageId, index) => unwrap(sendMessage('media:get', { conversationId, messageId, index })),
      mediaLink: (messageId, index) => unwrap(sendMessage('media:link', { conversationId, messageId, index })),
      older: (before) => unwrap(sendMessage('inbox:older', { conversationId, before })),
      uploadTicket: () => unwrap(sendMessage('composer:uploadTicket')),
    }),
    [conversationId, t],
  );
}
