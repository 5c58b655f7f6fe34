/**
 * Drill listeners (the seam the /metrics exporter and outbound integrations use): they hear every
 * batch with its tick's telemetry, learn when the drill stops, and a listener that throws never stops
 * the drill.
 */
import { describe, expect, it } from 'vitest';
import type { LiveDrill } from '../../engine/server/drill.ts';
import { TestClient, createDrill, withServer } from './harness.ts';

describe('drill listeners', () => {
  it('hear batches and samples, survive a throwing neighbour, and are told when the drill ends', async () => {
    await withServer(async (server) => {
      const heard: { kinds: string[]; samples: number; stopped: number } = { kinds: [], samples: 0, stopped: 0 };
      const errors: string[] = [];
      server.registry.follow((drill: LiveDrill) => {
        drill.listeners.add({
          batch: () => {
            throw new Error('exporter bug');
          },
        });
        drill.listeners.add({
          batch: (_d, events, sample) => {
            heard.kinds.push(...events.map((e) => e.type));
            if (sample) heard.samples++;
          },
          stopped: () => heard.stopped++,
        });
        const previous = drill.onListenerError;
        drill.onListenerError = (error) => {
          errors.push(String(error));
          previous?.(error);
        };
      });
      const creds = await createDrill(server, { scenarioId: 'retail-sev1', speed: 60 });
      const fac = await TestClient.join(server.url, { sessionId: creds.sessionId, token: creds.facilitatorToken, name: 'Fran' });
      fac.send({ type: 'control', command: 'start', clientActionId: 'go' });
      expect(await fac.reply('go')).toMatchObject({ type: 'ack' });
      await fac.waitForNow(60_000);
      const drill = server.registry.get(creds.sessionId);
      expect(drill?.status).toBe('live');
      expect(heard.samples).toBeGreaterThan(0);
      expect(heard.kinds).toContain('command');
      expect(errors.length).toBeGreaterThan(0);
      heard.kinds.length = 0;
      fac.send({ type: 'control', command: 'end', clientActionId: 'end' });
      expect(await fac.reply('end')).toMatchObject({ type: 'ack' });
      expect(heard.kinds).toContain('drill.state');
      expect(heard.stopped).toBe(1);
      expect(drill?.listeners.size).toBe(0);
      fac.close();
    });
  });
});
