/**
 * The campaigns created in this browser, newest first, kept in localStorage: the server lists no
 * campaigns (a campaign's id is its only address), so without this a facilitator who closes the
 * campaign page has no way back to it. The drills' tokens are kept by credentials.ts, per drill.
 */
export interface KeptCampaign {
  id: string;
  name: string;
  team: string;
}

const KEY = 'sevdrill:campaigns';
/** Enough for a few months of weekly game days; older ones drop off the lobby's list, not the server. */
const KEPT = 20;

export function keptCampaigns(): KeptCampaign[] {
  try {
    const list: unknown = JSON.parse(localStorage.getItem(KEY) ?? '[]');
    return Array.isArray(list) ? (list as KeptCampaign[]).filter((c) => typeof c?.id === 'string') : [];
  } catch {
    return [];
  }
}

export function keepCampaign(campaign: KeptCampaign): void {
  const list = [campaign, ...keptCampaigns().filter((c) => c.id !== campaign.id)].slice(0, KEPT);
  localStorage.setItem(KEY, JSON.stringify(list));
}
