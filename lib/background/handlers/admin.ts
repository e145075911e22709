import type { ApiClient } from '../../api/client';
import { refreshAdmin } from '../team';
import { done, type Current, type Handlers } from './types';

/** Admins: every action is followed by the admin view read again (the server tells other admins). */
export function adminHandlers(current: Current<'api'>) {
  const admin = async <T>(action: (admin: ApiClient['admin']) => Promise<T>): Promise<T> => {
    const { api } = await current();
    const result = await action(api.admin);
    await refreshAdmin(api);
    return result;
  };
  return {
    'admin:refresh': async () => done(await refreshAdmin((await current()).api)),
    'admin:invite': ({ email, role, delivery }) => admin((a) => a.invite(email, role, delivery)),
    'admin:revokeInvite': async ({ inviteId }) => done(await admin((a) => a.revokeInvite(inviteId))),
    'admin:setRole': async ({ agentId, role }) => done(await admin((a) => a.setRole(agentId, role))),
    'admin:removeAgent': async ({ agentId }) => done(await admin((a) => a.removeAgent(agentId))),
    'admin:saveCannedReply': async ({ shortcut, body }) => done(await admin((a) => a.saveCannedReply(shortcut, body))),
    'admin:deleteCannedReply': async ({ id }) => done(await admin((a) => a.deleteCannedReply(id))),
    'admin:createChannel': ({ whatsappNumber, name }) => admin((a) => a.createChannel(whatsappNumber, name)),
    'admin:connectCrm': ({ vendor, region }) => admin((a) => a.connectCrm(vendor, region)),
    'admin:setCrmLogMode': async ({ logMode }) => done(await admin((a) => a.setCrmLogMode(logMode))),
    'admin:disconnectCrm': async () => done(await admin((a) => a.disconnectCrm())),
    'admin:checkCrm': ({ writeTest }) => admin((a) => a.checkCrm(writeTest)),
  } satisfies Partial<Handlers>;
}
