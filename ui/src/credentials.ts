/**
 * What lets this browser back into a drill, kept in localStorage: every tab of one browser shares
 * it, so every tab is the same person (the server's participant token proves who), and the
 * facilitator gets back in by reopening the drill's URL. Secrets arrive in the URL fragment
 * (#/drill/ID?token=…), which browsers never send to a server, and are moved here at once.
 */
export interface Stored {
  /** The facilitator's token: this browser runs the drill. */
  facilitatorToken?: string;
  /** This browser's identity in the drill, from the server's welcome. */
  participantToken?: string;
  /** The name this browser joined under (or asked for). */
  name?: string;
  /** A join code or invite not yet exchanged for a participant token. */
  code?: string;
  invite?: string;
}

const key = (sessionId: string) => `sevdrill:drill:${sessionId}`;

export function loadCredentials(sessionId: string): Stored {
  try {
    return JSON.parse(localStorage.getItem(key(sessionId)) ?? '{}') as Stored;
  } catch {
    return {};
  }
}

export function saveCredentials(sessionId: string, update: Stored): Stored {
  const merged = { ...loadCredentials(sessionId), ...update };
  localStorage.setItem(key(sessionId), JSON.stringify(merged));
  return merged;
}

export function forgetCredentials(sessionId: string, keys: readonly (keyof Stored)[]): Stored {
  const kept = loadCredentials(sessionId);
  for (const k of keys) delete kept[k];
  localStorage.setItem(key(sessionId), JSON.stringify(kept));
  return kept;
}

/** What opens a drill's debrief, log and replay: the strongest credential this browser holds. */
export function debriefCredential(c: Stored): string | undefined {
  return c.facilitatorToken ?? c.participantToken ?? c.code;
}

/**
 * A random id for this browser, the same in every drill: the facilitator's roster counts browsers
 * with it, so two names from one browser stand out. It proves nothing; the tokens do that.
 */
export function deviceId(): string {
  let id = localStorage.getItem('sevdrill:device');
  if (!id) {
    id = crypto.randomUUID();
    localStorage.setItem('sevdrill:device', id);
  }
  return id;
}

/** The server's admin token (SEVDRILL_ADMIN_TOKEN), when it needs one to create drills. */
export const adminToken = {
  get: (): string => localStorage.getItem('sevdrill:admin') ?? '',
  set: (value: string): void => localStorage.setItem('sevdrill:admin', value),
};
