/**
 * Security headers, set by helmet. `appSecurity` goes first on every response; `reportSecurity` goes
 * on the after-action report route after it and replaces its CSP and X-Frame-Options, and
 * `docsSecurity` replaces the CSP of the documentation pages (helmet sets
 * headers with setHeader, so the later middleware wins instead of adding a second policy).
 */
import type { RequestHandler } from 'express';
import helmet from 'helmet';

/**
 * Every directive is spelled out (useDefaults: false) so that a helmet upgrade cannot quietly change
 * the policy. Notably helmet's default adds `upgrade-insecure-requests`, which would send a drill
 * served over plain http on a LAN IP to an https URL that does not exist.
 */
const APP_CSP = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  // 'unsafe-inline' for styles only: the console writes style="" attributes (the h() helper, e.g. in
  // ui/src/views/panels.ts; D3's .style() goes through CSSOM, which CSP does not govern), and the
  // after-action report, shown in an <iframe srcdoc>, inherits THIS policy, not the report route's,
  // and carries its own inline <style>. Inline styles cannot run code; inline scripts stay blocked.
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", 'data:'],
  // Covers the console's WebSocket: CSP Level 3 'self' matches ws: from an http page and wss: from an
  // https page on the same host and port (checked in Chromium by test/server/security.test.ts).
  connectSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'none'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
};

/** The report is self-contained (inline CSS and SVG, no scripts), so it needs nothing else. */
const REPORT_CSP = {
  defaultSrc: ["'none'"],
  styleSrc: ["'unsafe-inline'"],
  imgSrc: ['data:'],
  // The console may frame the report URL; no other site may.
  frameAncestors: ["'self'"],
  baseUri: ["'none'"],
  formAction: ["'none'"],
};

export function appSecurity(): RequestHandler {
  return helmet({
    contentSecurityPolicy: { useDefaults: false, directives: APP_CSP },
    // HSTS is for whoever terminates TLS (the reverse proxy in front of a public drill): sent over
    // plain http it is ignored, and on a shared hostname it would pin every other service to https.
    strictTransportSecurity: false,
    xFrameOptions: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    crossOriginOpenerPolicy: { policy: 'same-origin' },
    crossOriginResourcePolicy: { policy: 'same-origin' },
    xContentTypeOptions: true,
  });
}

/**
 * The documentation pages (docs.ts): static text with one inline style, allowed by its hash, so
 * they may run, load and frame nothing. Set after appSecurity, like the report's.
 */
export function docsSecurity(styleHash: string): RequestHandler {
  return helmet.contentSecurityPolicy({
    useDefaults: false,
    directives: { defaultSrc: ["'none'"], styleSrc: [styleHash], baseUri: ["'none'"], formAction: ["'none'"], frameAncestors: ["'none'"] },
  });
}

export function reportSecurity(): RequestHandler {
  const csp = helmet.contentSecurityPolicy({ useDefaults: false, directives: REPORT_CSP });
  const frame = helmet.xFrameOptions({ action: 'sameorigin' });
  return (req, res, next) => csp(req, res, (error) => (error ? next(error) : frame(req, res, next)));
}
