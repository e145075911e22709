import twilio from 'twilio';

/**
 * The `twilio` library's client. In development and tests (`apiBaseUrl` set, local stack only)
 * its requests go to the local Twilio stand-in instead of https://api.twilio.com.
 */
export function createTwilioClient(creds: { accountSid: string; authToken: string }, apiBaseUrl?: string | null) {
  if (!apiBaseUrl) return twilio(creds.accountSid, creds.authToken);
  class StandInRequestClient extends twilio.RequestClient {
    override request<T>(opts: Parameters<twilio.RequestClient['request']>[0]) {
      return super.request<T>({ ...opts, uri: opts.uri.replace(/^https:\/\/(api|content)\.twilio\.com/, apiBaseUrl!) } as never);
    }
  }
  return twilio(creds.accountSid, creds.authToken, { httpClient: new StandInRequestClient() });
}
export type TwilioClient = ReturnType<typeof twilio>;
