import { memo } from 'react';
import { useConversationIntents } from '@/lib/hooks/useConversationIntents';
import { Thread, type ThreadProps } from './Thread';

/**
 * The thread on screen with its intents (stable while it stays open). Renders when one of its
 * props changes (its conversation, its messages, who is at it), not for every inbox change. A chunk
 * of its own (with the composer, the bubbles and the thread's virtualiser): the side panel's list
 * paints without it (docs/delivery-scope.md, "First paint").
 */
export const OpenThread = memo(function OpenThread(props: Omit<ThreadProps, 'intents'>) {
  return <Thread {...props} intents={useConversationIntents(props.conversation.id)} />;
});
