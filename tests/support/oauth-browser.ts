/**
 * A browser as the OAuth flow meets it: follows redirects one by one, keeps the cookies servers
 * set (by path; none is sent to another path), and can stop before a URL to hand it to another.
 * @example const b = oauthBrowser(); const { stoppedAt } = await b.open(startUrl, { stopBefore: (u) => u.pathname.endsWith('/callback') });
 */
export function oauthBrowser() {
  const cookies = new Map<string, { value: string; path: string }>();
  const cookieHeader = (url: URL) =>
    [...cookies]
      .filter(([, c]) => url.pathname === c.path || url.pathname.startsWith(`${c.path.replace(/\/$/, '')}/`))
      .map(([name, c]) => `${name}=${c.value}`)
      .join('; ');
  return {
    cookies,
    /** Opens `url` and follows its redirects: the last answer, every URL visited, or the URL it stopped before. */
    async open(
      url: string,
      o: { stopBefore?: (url: URL) => boolean } = {},
    ): Promise<{ status: number; text: string; visited: string[]; stoppedAt: string | null }> {
      const visited: string[] = [];
      for (let next = new URL(url); ;) {
        if (o.stopBefore?.(next)) return { status: 0, text: '', visited, stoppedAt: next.toString() };
        visited.push(next.toString());
        const cookie = cookieHeader(next);
        const res = await fetch(next, { redirect: 'manual', headers: cookie ? { cookie } : {} });
        for (const line of res.headers.getSetCookie()) {
          const [pair, ...attributes] = line.split(';').map((p) => p.trim());
          const [name, value] = [pair!.slice(0, pair!.indexOf('=')), pair!.slice(pair!.indexOf('=') + 1)];
          const path = attributes.find((a) => a.toLowerCase().startsWith('path='))?.slice(5) ?? '/';
          if (!value || attributes.some((a) => a.toLowerCase() === 'max-age=0')) cookies.delete(name);
          else cookies.set(name, { value, path });
        }
        const location = res.headers.get('location');
        if (res.status < 300 || res.status >= 400 || !location) return { status: res.status, text: await res.text(), visited, stoppedAt: null };
        next = new URL(location, next);
      }
    },
  };
}
export type OAuthBrowser = ReturnType<typeof oauthBrowser>;
