import type { Browser } from 'wxt/browser';
import type { ProtocolMap, Requests, Responses } from '../../messaging/protocol';
import type { BackgroundController } from '../controller';

/** One handler per request type: a request missing from the map, or answering the wrong type, does not compile. */
export type Handlers = { [K in keyof ProtocolMap]: (data: Requests[K], sender: Browser.runtime.MessageSender) => Promise<Responses[K]> };

/**
 * The connections of the moment (rebuilt when the workspace changes; a request made meanwhile
 * waits for the new ones), narrowed by each handler module to the parts it uses.
 */
export type Current<K extends keyof BackgroundController> = () => Promise<Pick<BackgroundController, K>>;

/** For requests that answer with nothing but success. */
export const done = (_: unknown): null => null;
