import { useCallback, useEffect, useRef, useState, useSyncExternalStore } from 'react';
import { getJson, messageOf } from '../api/client.ts';

export interface Resource<T> {
  data: T | undefined;
  error: string | undefined;
  loading: boolean;
  reload: () => Promise<void>;
}

/**
 * GET one admin API path and keep the last answer. A reload keeps showing the previous data until
 * the new one arrives, so that nothing on screen jumps back to a skeleton after a save.
 */
export function useResource<T>(path: string | null): Resource<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<string>();
  const [loading, setLoading] = useState(path !== null);
  const latest = useRef(path);
  latest.current = path;

  const reload = useCallback(async () => {
    if (path === null) return;
    setLoading(true);
    try {
      const answer = await getJson<T>(path);
      if (latest.current !== path) return;
      setData(answer);
      setError(undefined);
    } catch (thrown) {
      if (latest.current === path) setError(messageOf(thrown));
    } finally {
      if (latest.current === path) setLoading(false);
    }
  }, [path]);

  useEffect(() => {
    void reload();
  }, [reload]);

  return { data, error, loading, reload };
}

/** Calls `tick` every `ms` while the page is visible (a hidden window need not poll). */
export function useInterval(tick: () => void, ms: number | null): void {
  const saved = useRef(tick);
  saved.current = tick;
  useEffect(() => {
    if (ms === null) return;
    const id = window.setInterval(() => {
      if (document.visibilityState !== 'hidden') saved.current();
    }, ms);
    return () => window.clearInterval(id);
  }, [ms]);
}

const subscribeHash = (callback: () => void) => {
  window.addEventListener('hashchange', callback);
  return () => window.removeEventListener('hashchange', callback);
};

export interface HashRoute {
  /** The page, e.g. "routes" for #/routes. */
  page: string;
  params: URLSearchParams;
}

/**
 * Hash routing: the same build then works at /ui/ under `serve`, in the desktop window and from a
 * file, with no server-side fallback needed.
 */
export function useHashRoute(): HashRoute {
  const hash = useSyncExternalStore(subscribeHash, () => window.location.hash);
  const [path = '', search = ''] = hash.replace(/^#\/?/, '').split('?');
  return { page: path.split('/')[0] || 'overview', params: new URLSearchParams(search) };
}

export function navigate(page: string, params: Record<string, string> = {}): void {
  const search = new URLSearchParams(params).toString();
  window.location.hash = `#/${page}${search ? `?${search}` : ''}`;
}

/** Reflects whether the OS asks for dark mode, for the chart colours that CSS cannot reach. */
export function usePrefersDark(): boolean {
  return useSyncExternalStore(
    (callback) => {
      const media = window.matchMedia?.('(prefers-color-scheme: dark)');
      media?.addEventListener?.('change', callback);
      return () => media?.removeEventListener?.('change', callback);
    },
    () => window.matchMedia?.('(prefers-color-scheme: dark)').matches ?? false,
  );
}

/**
 * An editing dialog's save. `submit` runs `check`, which checks the form (throwing a message for the
 * user) and answers the request to make; that request then runs with the dialog busy. A refused
 * check or request shows its message and leaves the dialog open for another try.
 */
export function useSubmit() {
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = async (check: () => () => Promise<void>) => {
    setError(undefined);
    let send;
    try {
      send = check();
    } catch (thrown) {
      setError(messageOf(thrown));
      return;
    }
    setBusy(true);
    try {
      await send();
    } catch (thrown) {
      setError(messageOf(thrown));
      setBusy(false);
    }
  };
  return { error, busy, submit };
}
