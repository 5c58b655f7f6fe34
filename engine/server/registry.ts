/**
 * All drills this process runs. Each has its own engine session and loop, so a fault in one (an
 * exception in its tick) marks that drill failed and leaves every other drill running.
 */
import type { Catalog } from './catalog.ts';
import { hashToken, newCode, newSessionId, newToken, safeEqual } from './credentials.ts';
import { LiveDrill, type WallClock } from './drill.ts';
import type { Store } from './store.ts';
import type { CreateSessionResponse, Role } from '../protocol.ts';
import { MAX_SPEED, MIN_SPEED } from '../protocol.ts';

export type CreateResult = { ok: true; created: CreateSessionResponse } | { ok: false; code: string; message: string };

export class Registry {
  private readonly drills = new Map<string, LiveDrill>();

  constructor(
    private readonly store: Store,
    private readonly catalog: Catalog,
    private readonly clock: WallClock,
    private readonly progressSaveMs: number,
  ) {}

  /** Rebuilds every stored drill from its inputs; running drills carry on where they were. */
  recover(): number {
    for (const stored of this.store.loadSessions()) {
      const drill = new LiveDrill(stored, this.store, this.clock, this.progressSaveMs, {
        inputs: this.store.loadInputs(stored.id),
        simNow: stored.simNow,
        status: stored.status,
      });
      this.drills.set(stored.id, drill);
    }
    return this.drills.size;
  }

  create(request: { scenarioId?: unknown; seed?: unknown; speed?: unknown }, now: Date): CreateResult {
    const scenario = typeof request.scenarioId === 'string' ? this.catalog.get(request.scenarioId) : undefined;
    if (!scenario) return { ok: false, code: 'unknown-scenario', message: `no scenario "${String(request.scenarioId)}"` };
    const seed = request.seed ?? scenario.seed;
    if (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0 || seed > 2 ** 31 - 1) {
      return { ok: false, code: 'bad-seed', message: 'seed must be a whole number from 0 to 2147483647' };
    }
    const speed = request.speed ?? 1;
    if (typeof speed !== 'number' || !(speed >= MIN_SPEED && speed <= MAX_SPEED)) {
      return { ok: false, code: 'bad-speed', message: `speed must be from ${MIN_SPEED} to ${MAX_SPEED}` };
    }
    const created: CreateSessionResponse = { sessionId: newSessionId(), facilitatorToken: newToken(), responderCode: newCode(), observerCode: newCode() };
    const record = {
      id: created.sessionId,
      scenario,
      seed,
      speed,
      facilitatorTokenHash: hashToken(created.facilitatorToken),
      responderCode: created.responderCode,
      observerCode: created.observerCode,
      createdAt: now.toISOString(),
    };
    this.store.createSession(record);
    this.drills.set(record.id, new LiveDrill(record, this.store, this.clock, this.progressSaveMs));
    return { ok: true, created };
  }

  get(id: string): LiveDrill | undefined {
    return this.drills.get(id);
  }

  list(): LiveDrill[] {
    return [...this.drills.values()];
  }

  /** The role a credential grants in a drill, or null. */
  authenticate(drill: LiveDrill, credential: { token?: string | undefined; code?: string | undefined }): Role | null {
    if (credential.token !== undefined && safeEqual(hashToken(credential.token), drill.record.facilitatorTokenHash)) return 'facilitator';
    if (credential.code !== undefined && safeEqual(credential.code, drill.record.responderCode)) return 'responder';
    if (credential.code !== undefined && safeEqual(credential.code, drill.record.observerCode)) return 'observer';
    return null;
  }

  /** Stops every loop and records progress: a clean shutdown loses nothing. */
  close(): void {
    for (const drill of this.drills.values()) drill.stop();
  }
}
