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
      text = await deps.registry.metrics();
    } catch (error) {
      return sendError(res, 500, 'internal', 'the metrics could not be collected', error);
    }
    res.type(deps.registry.contentType).send(text);
  };
}
