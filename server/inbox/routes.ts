import type { FastifyInstance, FastifyRequest } from 'fastify';
import type pg from 'pg';
import type {
  AgentsResponse,
  AssignResponse,
  BulkStatusResponse,
  CannedRepliesResponse,
  CountsResponse,
  MarkReadResponse,
  MarkUnreadResponse,
  StatusResponse,
  MessagesPage,
  NoteResponse,
  SearchResponse,
  StartConversationResponse,
  SyncResponse,
} from '../../lib/contract/api';
import {
  assignRequest,
  bulkStatusRequest,
  messagesQuery,
  noteRequest,
  searchQuery,
  startConversationRequest,
  statusRequest,
  unreadRequest,
} from '../../lib/contract/schemas';
import { guard, HttpError, parseOr400 } from '../errors';
import type { Broadcast } from '../sockets/broadcast';
import { readCounts } from './counts';
import type { CursorSigner } from './cursor';
import { conversationOf, markRead, messagesPage, startConversation, sync } from './repository';
import { markUnread, setStatus, setStatusMany } from './status';
import { capacityWarning } from '../routing/capacity';
import { assignConversation, createNote, listAgents, listCannedReplies, searchConversations } from './team';

/**
 * The inbox's REST routes (all behind the agent's authentication): who I am, the catch-up sync,
 * the organisation's counts, pages of a thread, starting a conversation from a number, read state, assignment, private
 * notes, canned replies, the team and search. Every one is scoped to the agent's organisation.
 */
export function registerInboxRoutes(
  api: FastifyInstance,
  deps: { db: pg.Pool; cursors: CursorSigner; broadcast: Broadcast; conversationIdOf(req: FastifyRequest): string },
): void {
  const { db, broadcast, conversationIdOf } = deps;

  api.get('/api/me', async (req) => req.agent);

  api.get('/api/sync', async (req): Promise<SyncResponse> => {
    const given = (req.query as { cursor?: string }).cursor;
    const snapshot = given ? deps.cursors.open(req.agent, given) : null;
    if (given && snapshot === null) throw new HttpError(400, 'bad_cursor', 'cursor is not one this server issued to this agent');
    const answer = await guard(() => sync(db, req.agent, snapshot));
    return { ...answer, cursor: deps.cursors.sign(req.agent, answer.cursor) };
  });

  // The organisation's conversations counted per channel, status and assigned (docs/delivery-scope.md, "Counts").
  api.get('/api/counts', async (req): Promise<CountsResponse> => readCounts(db, req.agent.organisationId));

  api.get('/api/conversations/:id/messages', async (req): Promise<MessagesPage> => {
    const id = conversationIdOf(req);
    const q = parseOr400(messagesQuery, req.query);
    return guard(() => messagesPage(db, req.agent, id, q.before ?? null, q.limit));
  });

  // Start (or find) the conversation with a phone number, e.g. from a number on a CRM page.
  api.post('/api/conversations', async (req, reply): Promise<StartConversationResponse> => {
    const { phone } = parseOr400(startConversationRequest, req.body);
    const { created, conversation } = await guard(() => startConversation(db, req.agent, phone));
    if (created) broadcast.conversationCreated(req.agent.organisationId);
    reply.code(created ? 201 : 200);
    return { conversation: { ...conversation, lastReadAt: null, readInboundCount: 0, readVersion: 0, unreadCount: 0 } };
  });

  api.post('/api/conversations/:id/read', async (req): Promise<MarkReadResponse> => {
    const readState = await guard(() => markRead(db, req.agent, conversationIdOf(req)));
    broadcast.conversationRead(req.agent.id, readState);
    return { readState };
  });

  api.get('/api/agents', async (req): Promise<AgentsResponse> => ({ agents: await listAgents(db, req.agent) }));

  api.post('/api/conversations/:id/assign', async (req): Promise<AssignResponse> => {
    const id = conversationIdOf(req);
    const { assigneeId } = parseOr400(assignRequest, req.body);
    const { changed, change } = await guard(() => assignConversation(db, req.agent, id, assigneeId));
    // Realtime tells agents from the rows themselves; Socket.IO is told here.
    if (changed) broadcast.conversationChanged(change);
    // Routing: a manual assignment may take the agent above capacity; it is made, with a warning.
    const warning = changed && assigneeId ? await capacityWarning(db, id, assigneeId) : null;
    return { conversation: change.conversation, ...(warning ? { warning } : {}) };
  });

  // Resolve, reopen or snooze (docs/conversation-status.md).
  api.post('/api/conversations/:id/status', async (req): Promise<StatusResponse> => {
    const id = conversationIdOf(req);
    const input = parseOr400(statusRequest, req.body);
    const { changed, change } = await guard(() => setStatus(db, req.agent, id, input));
    if (changed) broadcast.conversationChanged(change);
    return { conversation: change.conversation };
  });

  api.post('/api/conversations/status', async (req): Promise<BulkStatusResponse> => {
    const { conversations, ...change } = parseOr400(bulkStatusRequest, req.body);
    const results = await setStatusMany(db, req.agent, conversations, change);
    for (const r of results) if (r.outcome === 'changed') broadcast.conversationChanged(r.change!);
    return { results: results.map((r) => ({ id: r.id, outcome: r.outcome, conversation: r.change?.conversation })) };
  });

  api.post('/api/conversations/:id/unread', async (req): Promise<MarkUnreadResponse> => {
    const id = conversationIdOf(req);
    const { fromMessageId } = parseOr400(unreadRequest, req.body ?? {});
    const readState = await guard(() => markUnread(db, req.agent, id, fromMessageId ?? null));
    broadcast.conversationRead(req.agent.id, readState);
    return { readState };
  });

  api.post('/api/conversations/:id/notes', async (req, reply): Promise<NoteResponse> => {
    const id = conversationIdOf(req);
    const input = parseOr400(noteRequest, req.body);
    const { created, message } = await guard(() => createNote(db, req.agent, id, input.id, input.body));
    if (created) broadcast.messageNew(req.agent.organisationId, message, await conversationOf(db, id));
    reply.code(created ? 201 : 200);
    return { message };
  });

  api.get('/api/canned-replies', async (req): Promise<CannedRepliesResponse> => ({ cannedReplies: await listCannedReplies(db, req.agent.organisationId) }));

  api.get('/api/search', async (req): Promise<SearchResponse> => {
    const { q, limit } = parseOr400(searchQuery, req.query);
    return searchConversations(db, req.agent, q, limit);
  });
}
