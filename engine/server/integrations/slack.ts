/**
 * Slack incoming webhooks: `{text, blocks}` for what a team's incident channel would hear: pages,
 * the declaration and severity changes, the responders' status updates, mitigation and resolution.
 * `text` is the notification's fallback and starts with "[DRILL]"; the blocks say the same with the
 * drill's name and a link to its console. Text from the drill (a status update) is escaped, so a
 * responder typing `<!channel>` cannot ping the real channel.
 */
import { describe } from '../../protocol/describe.ts';
import type { EngineEvent } from '../../protocol/events.ts';
import { clip, formatClock } from '../../protocol/format.ts';
import { DRILL_PREFIX, type DrillContext, type Integration } from './integration.ts';
import type { Outgoing } from './queue.ts';

/** Slack's limit for a section's text is 3,000 characters. */
const MAX_SECTION = 2_900;

export function slackIntegration(url: string, drill: DrillContext): Integration {
  const message = (e: EngineEvent, headline: string): Outgoing => {
    const text = `${DRILL_PREFIX} ${headline}`;
    const blocks = [
      { type: 'section', text: { type: 'mrkdwn', text: escape(clip(`*${DRILL_PREFIX}* ${headline}`, MAX_SECTION)) } },
      {
        type: 'context',
        elements: [
          { type: 'mrkdwn', text: `${escape(`sevdrill drill ${drill.sessionId} · ${drill.scenarioTitle} · simulated ${formatClock(e.t)} · not a real incident`)} · <${drill.consoleUrl}|console>` },
        ],
      },
    ];
    return { url, body: JSON.stringify({ text: escape(text), blocks }) };
  };
  return {
    name: 'slack',
    events(events) {
      const out: Outgoing[] = [];
      for (const e of events) {
        const headline = headlineOf(e, drill);
        if (headline !== null) out.push(message(e, headline));
      }
      return out;
    },
    // What stopping means is already in the events (the incident resolved, the drill ended).
    stopped: () => [],
  };
}

/** The events a channel is told about, in a sentence; null for the others. */
function headlineOf(e: EngineEvent, drill: DrillContext): string | null {
  switch (e.type) {
    case 'alert.firing':
      return e.severity === 'page' ? `Page: ${e.name}. ${describe(e, drill.names)}` : null;
    case 'incident.state':
      return e.to === 'declared' || e.to === 'mitigated' || e.to === 'resolved' ? describe(e, drill.names) : null;
    case 'incident.severity':
      return describe(e, drill.names);
    case 'status.posted':
      return `Status update from ${e.by}${e.severity !== null ? ` (Sev ${e.severity})` : ''}: ${e.message}`;
    case 'drill.state':
      return e.to === 'ended' ? describe(e, drill.names) : null;
    default:
      return null;
  }
}

/** Slack reads &, < and > as markup. */
const escape = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
