/** Where the console keeps what lets it rejoin a drill after a reload: this tab's sessionStorage. */
export interface Stored {
  token?: string;
  code?: string;
  name?: string;
  responderCode?: string;
  observerCode?: string;
}

const key = (sessionId: string) => `sevdrill:${sessionId}`;

export function loadCredentials(sessionId: string): Stored {
  try {
    return JSON.parse(sessionStorage.getItem(key(sessionId)) ?? '{}') as Stored;
  } catch {
    return {};
  }
}

export function saveCredentials(sessionId: string, update: Stored): Stored {
  const merged = { ...loadCredentials(sessionId), ...update };
  sessionStorage.setItem(key(sessionId), JSON.stringify(merged));
  return merged;
}
