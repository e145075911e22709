import { useEffect, useState } from 'react';
import { SEARCH_MIN_CHARS, type SearchResponse } from '../contract/api';
import { sendMessage, unwrap } from '../messaging/protocol';

const SEARCH_DELAY_MS = 250;

/** The query, and the server's answer for it: matches and counts per status (debounced; a stale answer never replaces a newer one). */
export function useServerSearch() {
  const [query, setQuery] = useState('');
  const [answer, setAnswer] = useState<SearchResponse | null>(null);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const q = query.trim();
    setAnswer(null);
    setError(null);
    if (q.length < SEARCH_MIN_CHARS) {
      setPending(false);
      return;
    }
    let live = true;
    setPending(true);
    const timer = setTimeout(() => {
      unwrap(sendMessage('inbox:search', { query: q })).then(
        (r) => live && (setAnswer(r), setPending(false)),
        (e: Error) => live && (setError(e.message), setPending(false)),
      );
    }, SEARCH_DELAY_MS);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [query]);
  return { query, setQuery, results: answer?.results ?? null, counts: answer?.counts ?? null, pending, error };
}
