/** Routes the single-page app by URL hash: lobby, console, debrief, replay and campaign. */
import { renderCampaign } from './screens/campaign.ts';
import { renderConsole } from './screens/console.ts';
import { renderDebrief } from './screens/debrief.ts';
import { renderLobby } from './screens/lobby.ts';
import { renderReplay } from './screens/replay.ts';

export interface Route {
  screen: 'lobby' | 'drill' | 'join' | 'debrief' | 'replay' | 'campaign';
  /** The drill's id; on the campaign screen, the campaign's. */
  sessionId: string;
  params: URLSearchParams;
}

export function parseRoute(hash: string): Route {
  const [path = '', query = ''] = hash.replace(/^#\/?/, '').split('?');
  const [screen, sessionId = ''] = path.split('/');
  const params = new URLSearchParams(query);
  const known = ['drill', 'join', 'debrief', 'replay', 'campaign'] as const;
  return { screen: (known as readonly string[]).includes(screen ?? '') ? (screen as Route['screen']) : 'lobby', sessionId, params };
}

let teardown: (() => void) | undefined;

function route(): void {
  teardown?.();
  teardown = undefined;
  const app = document.getElementById('app') as HTMLElement;
  app.replaceChildren();
  const r = parseRoute(location.hash);
  if (r.screen === 'drill' || r.screen === 'join') teardown = renderConsole(app, r);
  else if (r.screen === 'debrief') renderDebrief(app, r);
  else if (r.screen === 'replay') teardown = renderReplay(app, r);
  else if (r.screen === 'campaign') teardown = renderCampaign(app, r);
  else renderLobby(app);
}

window.addEventListener('hashchange', route);
route();
