import { SEARCH_MIN_CHARS } from '../../lib/contract/api';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type pg from 'pg';
import { z } from 'zod';
import type { AgentsResponse, AssignResponse, CannedRepliesResponse, NoteResponse, SearchResponse } from '../../lib/contract/api';
import type { ConversationView, MessageView } from '../../lib/contract/models';
import { guard, parseOr400 } from '../validation';
import { assignConversation, conversationOf, createNote, listAgents, listCannedReplies, searchConversations } from './team';

const assignBody = z.object({ assigneeId: z.uuid().nullable() });
const noteBody = z.object({ id: z.uuid(), body: z.string().trim().min(1, 'a note cannot be empty').max(4096) });
const searchQuery = z.object({
  // The trigram indexes serve only 3 characters or more: shorter would scan the whole history.
  q: z.string().trim().min(SEARCH_MIN_CHARS, `search for at least ${SEARCH_MIN_CHARS} characters`).max(200),
  limit: z.coerce.number().int().min(1).max(100).default(30),
});

/** Assignment, private notes, canned replies, the team and search: the inbox's shared tools. */
export function registerInboxRoutes(
  api: FastifyInstance,
  deps: {
    db: pg.Pool;
    conversationIdOf(req: FastifyRequest): string;
    /** Tells the organisation's agents (Socket.IO); Realtime tells them from the row itself. */
    conversationChanged(organisationId: string, conversation: ConversationView): void;
    announce(organisationId: string, message: MessageView, conversation: ConversationView): void;
  },
): void {
  api.get('/api/agents', async (req): Promise<AgentsResponse> => ({ agents: await listAgents(deps.db, req.agent) }));

  api.post('/api/conversations/:id/assign', async (req): Promise<AssignResponse> => {
    const id = deps.conversationIdOf(req);
    const { assigneeId } = parseOr400(assignBody, req.body);
    const { changed, conversation } = await guard(() => assignConversation(deps.db, req.agent, id, assigneeId));
    if (changed) deps.conversationChanged(req.agent.organisationId, conversation);
    return { conversation };
  });

  api.post('/api/conversations/:id/notes', async (req, reply): Promise<NoteResponse> => {
    const id = deps.conversationIdOf(req);
    const input = parseOr400(noteBody, req.body);
    const { created, message } = await guard(() => createNote(deps.db, req.agent, id, input.id, input.body));
    if (created) deps.announce(req.agent.organisationId, message, await conversationOf(deps.db, id));
    reply.code(created ? 201 : 200);
    return { message };
  });

  api.get('/api/canned-replies', async (req): Promise<CannedRepliesResponse> => ({ cannedReplies: await listCannedReplies(deps.db, req.agent.organisationId) }));

  api.get('/api/search', async (req): Promise<SearchResponse> => {
    const { q, limit } = parseOr400(searchQuery, req.query);
    return { results: await searchConversations(deps.db, req.agent, q, limit) };
  });
}
