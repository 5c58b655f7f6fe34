/**
 * `GET /metrics`: the Prometheus text format (0.0.4), as prom-client writes it.
 *
 * With SEVDRILL_METRICS_TOKEN set, only a scrape that carries it as a Bearer token is answered, and the
 * Host check is skipped: Prometheus reaches a server by whatever address its service discovery gives
 * (a pod IP, a container name), and a browser page led here by DNS rebinding cannot send the token.
 * Without a token the endpoint is open, so it keeps the Host check of the rest of the API: a scrape
 * must then use an allowed host (loopback, or one named in SEVDRILL_ORIGINS).
 */
import type { RequestHandler } from 'express';
import type { Registry } from 'prom-client';
import { bearerToken, hashToken, safeEqual } from '../credentials.ts';
import { sendError } from '../logger.ts';
import { checkOrigin, type OriginPolicy } from '../origin.ts';

export interface MetricsRouteDeps {
  registry: Registry;
  /** SEVDRILL_METRICS_TOKEN, or null when /metrics is open. */
  token: string | null;
  originPolicy: () => OriginPolicy;
}

export function metricsRoute(deps: MetricsRouteDeps): RequestHandler {
  // Compared as hashes: equal lengths, so the comparison is constant-time whatever the caller sends.
  const expected = deps.token === null ? null : hashToken(deps.token);
  return async (req, res) => {
    if (expected === null) {
      const check = checkOrigin(deps.originPolicy(), { origin: req.get('origin'), host: req.get('host') });
      if (!check.ok) return sendError(res, 403, check.code, check.message);
    } else {
      const token = bearerToken(req.get('authorization'));
      if (token === undefined || !safeEqual(hashToken(token), expected)) {
        res.set('WWW-Authenticate', 'Bearer realm="sevdrill metrics"');
        return sendError(res, 401, 'metrics-token-required', 'this server\'s /metrics needs its metrics token (SEVDRILL_METRICS_TOKEN) as "Authorization: Bearer <token>"');
      }
    }
    let text: string;
    try {
      text = await render(deps.registry);
    } catch (error) {
      return sendError(res, 500, 'internal', 'the metrics could not be collected', error);
    }
    // end(), not send(): send() would hash the whole body (megabytes with many drills) for an ETag no scraper uses.
    res.status(200).type(deps.registry.contentType).end(text);
  };
}

/**
 * What `registry.metrics()` writes, one metric family at a time with a turn of the event loop between
 * them: with 50 drills a scrape is 20,000 lines and tens of milliseconds of formatting, which in one
 * piece would hold every drill's next tick for all of it; in pieces, for the largest family at most
 * (the latency histogram). So two families of one scrape may be a tick apart; a family is consistent.
 */
async function render(registry: Registry): Promise<string> {
  const families: string[] = [];
  for (const metric of registry.getMetricsAsArray()) {
    families.push(await registry.getSingleMetricAsString(metric.name));
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return `${families.join('\n\n')}\n`;
}
