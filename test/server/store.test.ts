/**
 * The store's durability without stalls: commits never fsync on the event loop (synchronous=NORMAL,
 * no auto-checkpoint on the main connection); the checkpointer thread folds the WAL into the database
 * every second; and a checkpointer that cannot run never takes the process down.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHECKPOINT_MS, Store } from '../../engine/server/store.ts';
import { loadScenario } from '../helpers.ts';
import { sleep, until } from './harness.ts';

const tempFile = () => join(mkdtempSync(join(tmpdir(), 'sevdrill-store-')), 'drills.db');

function session(id: string) {
  return {
    id,
    scenario: loadScenario('retail-sev1'),
    seed: 7,
    speed: 1,
    facilitatorTokenHash: 'f'.repeat(64),
    responderCodeHash: 'r'.repeat(64),
    observerCodeHash: 'o'.repeat(64),
    joinMode: 'code' as const,
    facilitatorName: 'Fran',
    createdAt: new Date().toISOString(),
  };
}

describe('the store', () => {
  it('commits without waiting for the disk, and the checkpointer thread folds them into the database', async () => {
    const file = tempFile();
    const store = new Store(file);
    const errors: string[] = [];
    store.onCheckpointError = (m) => errors.push(m);
    try {
      expect(store.database.pragma('synchronous', { simple: true })).toBe(1); // NORMAL
      expect(store.database.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
      // Let the checkpointer settle the schema first, so the growth below is only what we add.
      await sleep(CHECKPOINT_MS * 1.5);
      const before = statSync(file).size;
      store.createSession(session('s1'));
      for (let n = 0; n < 300; n++) store.appendInput('s1', { n, t: n * 10_000, command: { actor: 'alice', type: 'status-update', params: { message: 'x'.repeat(1000) } } });
      // Committed and readable at once, while the main file has not grown: nothing was checkpointed on this thread.
      expect(store.loadInputs('s1')).toHaveLength(300);
      expect(statSync(file).size).toBe(before);
      // Within a round or two the checkpointer has copied the pages into the main file.
      await until(() => statSync(file).size > before + 200_000, CHECKPOINT_MS * 5);
      expect(errors).toEqual([]);
    } finally {
      store.close();
    }
    // A clean close leaves everything in the main file (TRUNCATE checkpoint): a fresh open sees it all.
    const reopened = new Store(file);
    try {
      expect(reopened.loadInputs('s1')).toHaveLength(300);
    } finally {
      reopened.close();
    }
  });

  it('survives its file vanishing under the checkpointer: an error to report, never a crash', async () => {
    const file = tempFile();
    const store = new Store(file);
    const errors: string[] = [];
    store.onCheckpointError = (m) => errors.push(m);
    // Gone before the worker has even opened it (the bench's temp directories do this).
    rmSync(join(file, '..'), { recursive: true, force: true });
    await until(() => errors.length > 0, CHECKPOINT_MS * 5);
    expect(errors[0]).toMatch(/does not exist|unable to open|no such/i);
    store.close();
    await sleep(100);
  });
});
