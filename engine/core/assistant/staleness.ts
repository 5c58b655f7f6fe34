/**
 * Staleness is derived, never labelled: a wiki page is stale when an architecture change touched one of
 * its services after the page was last edited. The facilitator and the debrief say why; responders only
 * ever see the page and its dates, as in the real incident, where the assistant cited a page that
 * predated the system it described.
 */
import { dayOf, type ArchitectureChange, type WikiPage } from '../../protocol/scenario.ts';

export interface Staleness {
  stale: boolean;
  /** The changes after the page's last edit that touch one of its services, oldest first. */
  since: ArchitectureChange[];
}

export function stalenessOf(page: Pick<WikiPage, 'edited' | 'services'>, architecture: readonly ArchitectureChange[]): Staleness {
  const edited = dayOf(page.edited);
  const since = architecture
    .filter((change) => dayOf(change.date) > edited && change.services.some((s) => page.services.includes(s)))
    .sort((a, b) => (dayOf(a.date) < dayOf(b.date) ? -1 : dayOf(a.date) > dayOf(b.date) ? 1 : 0));
  return { stale: since.length > 0, since };
}

/** Why a page is stale, in one sentence for the facilitator and the debrief; null when it is current. */
export function stalenessReason(page: Pick<WikiPage, 'title' | 'edited' | 'services'>, architecture: readonly ArchitectureChange[]): string | null {
  const { since } = stalenessOf(page, architecture);
  if (since.length === 0) return null;
  const changes = since.map((c) => `${c.date}: ${c.summary.replace(/\.$/, '')}`).join('; ');
  return `"${page.title}" was last edited ${page.edited}, before ${since.length === 1 ? 'this change' : 'these changes'} to its services: ${changes}.`;
}
