/**
 * Origin allow-list for browsers. Requests without an Origin (curl, the CLI) are allowed; with no
 * list configured, only the server's own origin is. A page elsewhere cannot drive a drill.
 */
export function originAllowed(origin: string | undefined, host: string | undefined, allowed: readonly string[] | null): boolean {
  if (origin === undefined || origin === '') return true;
  if (allowed !== null) return allowed.includes(origin);
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}
