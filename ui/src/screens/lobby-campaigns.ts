/**
 * The lobby's campaigns: the form that creates one, the campaigns this browser created (the way back
 * to their pages), and the campaign leaderboard (finished weeks, ranked by availability).
 */
import type { CampaignLeaderboard, ScenarioListing, ServerInfo } from '../../../engine/protocol/messages.ts';
import { keptCampaigns } from '../campaign-store.ts';
import { h, percent } from '../dom.ts';
import { campaignForm, type CampaignForm } from './campaign-form.ts';

/** Rows of the campaign leaderboard the lobby shows. */
const BOARD_ROWS = 10;

export function campaignsSection(scenarios: readonly ScenarioListing[], info: ServerInfo): CampaignForm {
  const form = campaignForm(scenarios, info);
  const kept = keptCampaigns();
  const board = h('div', { class: 'board' });
  const element = h(
    'section',
    { class: 'campaigns', 'aria-labelledby': 'campaigns-heading' },
    h('h2', { id: 'campaigns-heading', text: 'Campaigns' }),
    h('p', { class: 'muted', text: "A team's week of Sev 1s: several drills in order, scored together on availability, to see whether the team gets faster." }),
    form.element,
    kept.length === 0
      ? null
      : h(
          'nav',
          { class: 'kept-campaigns', 'aria-label': 'Campaigns created in this browser' },
          h('h3', { text: 'Created in this browser' }),
          h('ul', {}, ...kept.map((c) => h('li', {}, h('a', { href: `#/campaign/${c.id}`, text: c.name }), ` · ${c.team}`))),
        ),
    board,
  );
  void fetch('/api/leaderboard/campaigns')
    .then((r) => (r.ok ? (r.json() as Promise<CampaignLeaderboard>) : null))
    .then((result) => {
      // Servers older than the campaign leaderboard answer 404: show nothing.
      if (!result || result.campaigns.length === 0) return;
      board.append(
        h(
          'table',
          {},
          h('caption', { text: 'Campaign leaderboard: availability, then total score' }),
          h('tr', {}, ...['#', 'campaign', 'team', 'drills', 'availability', 'total score'].map((t) => h('th', { scope: 'col', text: t }))),
          ...result.campaigns.slice(0, BOARD_ROWS).map((c) =>
            h(
              'tr',
              {},
              h('td', { text: c.rank }),
              h('td', {}, h('a', { href: `#/campaign/${c.campaignId}`, text: c.name })),
              h('td', { text: c.team }),
              h('td', { text: c.scenarioIds.length }),
              h('td', { text: percent(c.availability.availability) }),
              h('td', { text: c.totalScore }),
            ),
          ),
        ),
      );
    })
    .catch(() => {});
  return { element, show: form.show };
}
