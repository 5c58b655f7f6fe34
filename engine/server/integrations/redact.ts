/**
 * Integration URLs are secrets: a Slack webhook's path is its credential, and a webhook URL may carry
 * a token in its query. Only the origin is ever shown or logged: `https://hooks.slack.com/…`.
 */

export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    // `origin` has no user name or password, which a URL may carry.
    return u.pathname === '/' && u.search === '' ? u.origin : `${u.origin}/…`;
  } catch {
    return '(a URL that cannot be parsed)';
  }
}

/** Removes every secret from a text that came from elsewhere (an error message). */
export function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret.length > 0) out = out.split(secret).join('…');
  return out;
}
