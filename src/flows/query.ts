/**
 * Query strings as Django reads and writes them: the executor's `query` parameter is parsed with `QueryDict`, and
 * the redirects it answers are written with `django.utils.http.urlencode` (Python's `quote_plus`). The 302-or-not
 * decision compares such a URL with the one the client sent (authentik/flows/views/executor.py `to_stage_response`),
 * so the encoding must be Python's to the character.
 */

/** A parsed query string: every key with its values, in order (Django's QueryDict). `get` is the last value. */
export class QueryDict {
  private constructor(private readonly entries: ReadonlyArray<readonly [string, string]>) {}

  /** `a=1&b=x+y` → QueryDict (`+` is a space; a pair without `=` has the value ""; bad escapes are kept as sent). */
  static parse(text: string): QueryDict {
    const entries: Array<[string, string]> = [];
    for (const pair of text.split('&')) {
      if (pair === '') continue;
      const eq = pair.indexOf('=');
      const [key, value] = eq < 0 ? [pair, ''] : [pair.slice(0, eq), pair.slice(eq + 1)];
      entries.push([decodeForm(key), decodeForm(value)]);
    }
    return new QueryDict(entries);
  }

  /** The last value given for `key` (QueryDict.get), or undefined. */
  get(key: string): string | undefined {
    for (let i = this.entries.length - 1; i >= 0; i--) if (this.entries[i]![0] === key) return this.entries[i]![1];
    return undefined;
  }

  has(key: string): boolean {
    return this.entries.some(([k]) => k === key);
  }

  /** `QueryDict.items()`: each key once, in first-seen order, with its last value. */
  items(): Array<[string, string]> {
    const keys = [...new Set(this.entries.map(([k]) => k))];
    return keys.map((k) => [k, this.get(k)!]);
  }

  get size(): number {
    return this.entries.length;
  }
}

function decodeForm(text: string): string {
  const spaced = text.replace(/\+/g, ' ');
  try {
    return decodeURIComponent(spaced);
  } catch {
    // Python's unquote leaves a bad escape as it is; decode what can be decoded.
    return spaced.replace(/(%[0-9a-fA-F]{2})+/g, (run) => {
      try {
        return decodeURIComponent(run);
      } catch {
        return run;
      }
    });
  }
}

/** Python's `quote_plus(text, safe='')`: letters, digits and `_.-~` as they are, a space as `+`, the rest `%XX` of UTF-8. */
export function quotePlus(text: string): string {
  return encodeURIComponent(text)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}

/** `django.utils.http.urlencode(pairs)`: `k=v&k2=v2`, each side quote_plus'ed. */
export function urlencode(pairs: ReadonlyArray<readonly [string, string]>): string {
  return pairs.map(([key, value]) => `${quotePlus(key)}=${quotePlus(value)}`).join('&');
}

/** A flow's page, `/if/flow/{slug}/` (authentik's `authentik_core:if-flow`), with the query when there is one. */
export function flowPagePath(slug: string, query: ReadonlyArray<readonly [string, string]> = []): string {
  return `/if/flow/${encodeURIComponent(slug)}/${query.length > 0 ? `?${urlencode(query)}` : ''}`;
}

/** `authentik/lib/utils/urls.py` `is_url_absolute`: `bool(urlparse(url).netloc)` — a scheme's `//host`, or `//host` alone. */
export function isUrlAbsolute(url: string): boolean {
  // urlparse finds a netloc after `scheme://` (scheme: a letter, then letters, digits, + - .) or at a leading `//`.
  const match = /^(?:[a-zA-Z][a-zA-Z0-9+.-]*:)?\/\/([^/?#]*)/.exec(url.trimStart());
  return match !== null && match[1] !== '';
}
