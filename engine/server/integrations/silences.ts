/**
 * Alertmanager has no "acknowledge": its on-call silences an alert instead. So, while at least one live
 * drill sends to Alertmanager, sevdrill reads `GET <url>/api/v2/silences` every few seconds (one
 * request for all those drills, never two at once, each with a timeout), and an active silence that
 * names a drill (`sevdrill_session="<id>"`) and whose matchers select one of its firing alerts becomes
 * an `ack` from the responder its `createdBy` names (inbound.ts, findResponder), once.
 *
 * Nothing here runs in a drill's tick: the poll has its own timer, and the acknowledgement is
 * submitted in the turn the answer arrives, as a responder's action would be.
 */
import type { LiveDrill } from '../drill.ts';
import type { Logger } from '../logger.ts';
import { alertLabels } from './alertmanager.ts';
import { acknowledgeAs, findResponder } from './inbound.ts';
import { causeOf } from './queue.ts';
import { redactUrl, scrub } from './redact.ts';

/** How often silences are read, by default. */
export const SILENCE_POLL_MS = 5_000;

/** As Alertmanager's API v2 gives a silence (the fields read here). */
export interface Silence {
  id: string;
  createdBy: string;
  matchers: { name: string; value: string; isRegex: boolean; isEqual?: boolean }[];
  status: { state: string };
}

/** Refusals that pass: the silence is looked at again at the next poll. */
const TRY_AGAIN = new Set(['drill-not-running', 'rate-limited']);

export class SilenceWatcher {
  private readonly drills = new Map<string, LiveDrill>();
  /** Per drill, the silences already acted on (or found to name nobody): each counts once. */
  private readonly seen = new Map<string, Set<string>>();
  private timer: NodeJS.Timeout | null = null;
  private inFlight: AbortController | null = null;
  private failing = false;
  private closed = false;

  constructor(
    private readonly baseUrl: string,
    private readonly logger: Logger,
    private readonly options: { pollMs: number; timeoutMs: number },
  ) {}

  /** For Registry.follow: watches a drill that sends to Alertmanager until it stops. */
  attach(drill: LiveDrill): void {
    if (this.closed || !(drill.record.integrations ?? []).includes('alertmanager')) return;
    this.drills.set(drill.id, drill);
    drill.listeners.add({ batch: () => undefined, stopped: (stopped) => this.detach(stopped) });
    this.timer ??= setInterval(() => void this.poll(), this.options.pollMs);
    this.timer.unref();
  }

  close(): void {
    this.closed = true;
    this.stopTimer();
    this.inFlight?.abort();
    this.drills.clear();
  }

  private detach(drill: LiveDrill): void {
    this.drills.delete(drill.id);
    this.seen.delete(drill.id);
    // Nobody left to acknowledge for: Alertmanager is asked nothing more.
    if (this.drills.size === 0) this.stopTimer();
  }

  private stopTimer(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  /** One read of the silences for every watched drill; a read still running makes this one a no-op. */
  async poll(): Promise<void> {
    if (this.inFlight !== null || this.drills.size === 0) return;
    const silences = await this.read();
    if (silences === null || this.closed) return;
    for (const drill of this.drills.values()) {
      try {
        this.check(drill, silences);
      } catch (error) {
        // One drill's trouble must not keep the others from being acknowledged.
        this.logger.error({ err: error, sessionId: drill.id }, `reading Alertmanager silences for drill ${drill.id} failed`);
      }
    }
  }

  private async read(): Promise<Silence[] | null> {
    const controller = new AbortController();
    this.inFlight = controller;
    const timeout = setTimeout(() => controller.abort(), this.options.timeoutMs);
    const where = redactUrl(this.baseUrl);
    try {
      const res = await fetch(`${this.baseUrl}/api/v2/silences`, { signal: controller.signal, headers: { accept: 'application/json', 'user-agent': 'sevdrill' } });
      if (!res.ok) {
        await res.arrayBuffer().catch(() => undefined);
        return this.failed(`HTTP ${res.status} from ${where}`);
      }
      const body: unknown = await res.json();
      if (!Array.isArray(body)) return this.failed(`${where} answered something other than a list of silences`);
      if (this.failing) this.logger.info({ integration: 'alertmanager' }, `reading Alertmanager silences works again (${where})`);
      this.failing = false;
      return body.filter(isSilence);
    } catch (error) {
      if (this.closed) return null;
      return this.failed(controller.signal.aborted ? `no answer within ${this.options.timeoutMs / 1000} s (${where})` : scrub(`${causeOf(error)} (${where})`, [this.baseUrl]));
    } finally {
      clearTimeout(timeout);
      this.inFlight = null;
    }
  }

  /** Says so once when reading starts failing (the next success says it works again). */
  private failed(why: string): null {
    if (!this.failing) this.logger.warn({ integration: 'alertmanager', errorCode: 'silences-unreadable' }, `cannot read Alertmanager silences, so silencing a drill alert acknowledges nothing for now: ${why}`);
    this.failing = true;
    return null;
  }

  private check(drill: LiveDrill, silences: readonly Silence[]): void {
    if (drill.status !== 'live') return;
    const { phase, incident, firingAlerts } = drill.session.snapshot();
    // Nothing to acknowledge, or not yet (a paused drill is acknowledged once it runs again).
    if (incident.acknowledged || incident.state === 'idle' || phase !== 'running') return;
    const context = { sessionId: drill.id, scenarioId: drill.scenario.id };
    const firing = firingAlerts.flatMap((f) => {
      const def = drill.scenario.alerts.find((a) => a.id === f.alert);
      return def ? [alertLabels({ ...def, alert: def.id }, context)] : [];
    });
    const seen = this.seen.get(drill.id) ?? new Set<string>();
    this.seen.set(drill.id, seen);
    for (const silence of silences) {
      if (seen.has(silence.id) || !silencesDrillAlert(silence, drill.id, firing)) continue;
      seen.add(silence.id);
      const person = findResponder(drill, { name: silence.createdBy, email: silence.createdBy });
      const where = { sessionId: drill.id, integration: 'alertmanager' };
      if (!person) {
        this.logger.warn(
          { ...where, errorCode: 'unknown-person' },
          `drill ${drill.id}: Alertmanager silence ${silence.id} was created by "${silence.createdBy.slice(0, 64)}", and no responder of this drill has that name (or that email address's name); nothing was acknowledged`,
        );
        continue;
      }
      const acked = acknowledgeAs(drill, person);
      if (acked.outcome === 'acknowledged') {
        this.logger.info({ ...where, participant: person.id }, `drill ${drill.id}: acknowledged by ${person.name} (${person.id}) through Alertmanager silence ${silence.id}`);
        return;
      }
      if (acked.outcome === 'already-acknowledged') return;
      if (TRY_AGAIN.has(acked.code)) seen.delete(silence.id);
      this.logger.info({ ...where, participant: person.id, errorCode: acked.code }, `drill ${drill.id}: Alertmanager silence ${silence.id} by ${person.name} acknowledged nothing: ${acked.message}`);
      return;
    }
  }
}

/**
 * True when the silence is active, names this drill with an equality matcher on `sevdrill_session`
 * (a silence that only happens to match, `service="checkout"` say, is someone's real silence and
 * acknowledges nothing), and all its matchers hold for one of the drill's firing alerts.
 */
export function silencesDrillAlert(silence: Silence, sessionId: string, firing: readonly Record<string, string>[]): boolean {
  if (silence.status.state !== 'active') return false;
  const namesDrill = silence.matchers.some((m) => m.name === 'sevdrill_session' && !m.isRegex && m.isEqual !== false && m.value === sessionId);
  return namesDrill && firing.some((labels) => silence.matchers.every((m) => matcherHolds(m, labels[m.name] ?? '')));
}

/** Alertmanager's rule: a regex matches the whole value; a missing label is the empty string. */
function matcherHolds(m: Silence['matchers'][number], value: string): boolean {
  let equal: boolean;
  if (m.isRegex) {
    try {
      equal = new RegExp(`^(?:${m.value})$`, 'u').test(value);
    } catch {
      // Alertmanager's RE2 takes some patterns JavaScript does not: such a matcher selects nothing here.
      return false;
    }
  } else {
    equal = m.value === value;
  }
  return m.isEqual === false ? !equal : equal;
}

function isSilence(value: unknown): value is Silence {
  const s = value as Partial<Silence> | null;
  return (
    typeof s === 'object' &&
    s !== null &&
    typeof s.id === 'string' &&
    typeof s.createdBy === 'string' &&
    Array.isArray(s.matchers) &&
    s.matchers.every((m) => typeof m === 'object' && m !== null && typeof m.name === 'string' && typeof m.value === 'string') &&
    typeof s.status?.state === 'string'
  );
}
