/**
 * Which browsers' pages may use the API and open sockets. Both headers are checked against an explicit
 * allow-list, because each one alone can be fooled:
 * - Host: a DNS-rebinding page (evil.example re-resolved to this server) is same-origin with itself, so
 *   its plain GETs carry no Origin at all; only its Host (evil.example:PORT) gives it away.
 * - Origin: a cross-site page's requests carry our Host but its own Origin.
 * Requests without an Origin (the CLI, curl, health probes) pass the Origin check, never the Host check.
 */

export interface OriginPolicy {
  /** Serialised origins (`new URL(o).origin`): lowercase host, default port elided. */
  readonly origins: ReadonlySet<string>;
  /** Lowercase Host header values that reach this server, including `host:defaultPort` spellings. */
  readonly hosts: ReadonlySet<string>;
}

export type OriginCheck = { ok: true } | { ok: false; code: 'origin-not-allowed' | 'host-not-allowed'; message: string };

const DEFAULT_PORTS: Record<string, string> = { 'http:': '80', 'https:': '443' };
/** scheme://authority with at most a trailing slash: rejects paths, queries, fragments and user info up front. */
const BARE_ORIGIN = /^[a-z][a-z0-9+.-]*:\/\/[^/?#@\s]+\/?$/i;

/** The loopback origins of a server listening on `port`: what a drill on one laptop needs. */
export function defaultOrigins(port: number): string[] {
  return [`http://localhost:${port}`, `http://127.0.0.1:${port}`, `http://[::1]:${port}`];
}

/** The serialised origin of a bare http(s) origin, or why it is not one. */
function bareOrigin(text: string): { ok: true; url: URL } | { ok: false; why: string } {
  if (text.includes('*')) return { ok: false, why: 'wildcards are not supported: list each origin' };
  if (!BARE_ORIGIN.test(text)) return { ok: false, why: 'it must be scheme://host[:port] with no path, query or fragment' };
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, why: 'it is not a valid URL' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { ok: false, why: 'the scheme must be http or https' };
  return { ok: true, url };
}

/** Parses SEVDRILL_ORIGINS (comma-separated); blank or unset means "use the defaults" (null). */
export function parseOrigins(value: string | undefined): string[] | null {
  const entries = (value ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '');
  if (entries.length === 0) return null;
  return entries.map((entry) => {
    const parsed = bareOrigin(entry);
    if (!parsed.ok) {
      throw new Error(`SEVDRILL_ORIGINS entry "${entry}" is not a bare origin: ${parsed.why} (for example https://drill.example.com or http://10.0.0.5:8080)`);
    }
    return parsed.url.origin;
  });
}

/**
 * The configured origins plus the loopback ones: a page on this machine's own loopback name cannot be
 * a rebinding attack (its Host would be the attacker's name), and it keeps `curl localhost` and the
 * console on the server's own machine working when SEVDRILL_ORIGINS names a public address.
 */
export function originPolicy(configured: readonly string[] | null, port: number): OriginPolicy {
  const origins = new Set<string>();
  const hosts = new Set<string>();
  for (const entry of [...(configured ?? []), ...defaultOrigins(port)]) {
    const parsed = bareOrigin(entry.trim());
    if (!parsed.ok) throw new Error(`allowed origin "${entry}" is not a bare origin: ${parsed.why}`);
    const { url } = parsed;
    origins.add(url.origin);
    hosts.add(url.host);
    // URL elides the scheme's default port, but a client may still spell it out in Host.
    if (url.port === '') hosts.add(`${url.hostname}:${DEFAULT_PORTS[url.protocol]}`);
  }
  return { origins, hosts };
}

/** Header values go into messages quoted and clipped, so a hostile value cannot flood a response. */
const quote = (value: string) => JSON.stringify(value.length > 100 ? `${value.slice(0, 100)}…` : value);
const list = (values: ReadonlySet<string>) => [...values].join(', ');

export function checkOrigin(policy: OriginPolicy, headers: { origin?: string | undefined; host?: string | undefined }): OriginCheck {
  const host = headers.host?.trim().toLowerCase() ?? '';
  if (host === '') {
    return { ok: false, code: 'host-not-allowed', message: `the request has no Host header; send the host you reach the server by (one of ${list(policy.hosts)})` };
  }
  if (!policy.hosts.has(host)) {
    // The likeliest fix is to allow the origin the browser is on; when we cannot see it, guess http.
    const suggestion = headers.origin && headers.origin !== 'null' && URL.canParse(headers.origin) && new URL(headers.origin).host === host ? new URL(headers.origin).origin : `http://${host}`;
    return {
      ok: false,
      code: 'host-not-allowed',
      message:
        `Host ${quote(headers.host ?? '')} is not allowed (allowed: ${list(policy.hosts)}). ` +
        `If this server is meant to be reached at ${quote(suggestion)}, add that origin (with https:// if it is served over TLS) to SEVDRILL_ORIGINS and restart; ` +
        'behind a reverse proxy, pass the original Host header through.',
    };
  }

  const origin = headers.origin;
  if (origin === undefined) return { ok: true };
  if (origin === 'null') {
    return {
      ok: false,
      code: 'origin-not-allowed',
      message: `Origin "null" (a sandboxed frame, a file:// page or a privacy redirect) is not allowed: open the console from one of ${list(policy.origins)}`,
    };
  }
  const parsed = bareOrigin(origin.trim());
  const serialised = parsed.ok ? parsed.url.origin : null;
  if (serialised !== null && policy.origins.has(serialised)) return { ok: true };
  const advice =
    serialised === null
      ? 'it is not an http(s) origin'
      : `open the console from one of those, or add ${serialised} to SEVDRILL_ORIGINS (comma-separated) and restart the server`;
  return { ok: false, code: 'origin-not-allowed', message: `Origin ${quote(origin)} is not allowed (allowed: ${list(policy.origins)}): ${advice}` };
}
