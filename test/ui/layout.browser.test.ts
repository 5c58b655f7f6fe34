/**
 * The console's layout at three desktop sizes, in Chromium, with a drill in full cascade: no two
 * visible pieces of text overlap (their bounding boxes, element by element, in every panel), and the
 * page itself does not scroll. With a drill running and paged, a responder sees the incident's
 * status box, "Post status update" and "Resolve incident" whole without scrolling any pane, and the
 * timeline's filters stay on one row.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDrill } from '../server/harness.ts';
import { SKIP_BROWSER, artifact, joinDrill, person, startPaged, startRig, withPausedDrill, type Rig } from './browser.ts';

const SIZES = [
  { width: 1440, height: 900 },
  { width: 1280, height: 720 },
  { width: 1024, height: 768 },
];

/** Every pair of visible, text-bearing leaves whose boxes overlap by more than a pixel each way (a script: the tests have no DOM types). */
const OVERLAPS = `(() => {
  const leaves = [];
  // The part of an element's box that is on screen: clipped by every scrolling or clipping ancestor.
  const shown = (el) => {
    let r = el.getBoundingClientRect();
    let box = { left: r.left, top: r.top, right: r.right, bottom: r.bottom };
    for (let a = el.parentElement; a; a = a.parentElement) {
      const s = getComputedStyle(a);
      if (s.overflowX === 'visible' && s.overflowY === 'visible') continue;
      const c = a.getBoundingClientRect();
      box = { left: Math.max(box.left, c.left), top: Math.max(box.top, c.top), right: Math.min(box.right, c.right), bottom: Math.min(box.bottom, c.bottom) };
    }
    return box.right - box.left >= 1 && box.bottom - box.top >= 1 ? box : null;
  };
  for (const el of document.querySelectorAll('.console *')) {
    const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim() !== '');
    if (!own || el.closest('dialog, .share-body, title')) continue;
    // Inside a closed <details>, only its summary is drawn.
    const folded = el.closest('details:not([open])');
    if (folded && !el.closest('summary')) continue;
    const s = getComputedStyle(el);
    if (s.visibility === 'hidden' || s.display === 'none' || Number(s.opacity) === 0) continue;
    const r = shown(el);
    if (r) leaves.push({ el, r });
  }
  const out = [];
  for (let i = 0; i < leaves.length; i++) {
    for (let j = i + 1; j < leaves.length; j++) {
      const a = leaves[i], b = leaves[j];
      if (a.el.contains(b.el) || b.el.contains(a.el)) continue;
      const x = Math.min(a.r.right, b.r.right) - Math.max(a.r.left, b.r.left);
      const y = Math.min(a.r.bottom, b.r.bottom) - Math.max(a.r.top, b.r.top);
      if (x > 1 && y > 1) out.push(a.el.textContent.trim().slice(0, 40) + ' ⨯ ' + b.el.textContent.trim().slice(0, 40));
    }
  }
  return out;
})()`;

describe.skipIf(SKIP_BROWSER)('the console layout in Chromium', () => {
  const paused = withPausedDrill();

  it.each(SIZES)('at $width×$height: no text overlaps other text, and the page does not scroll', async (size) => {
    const p = await person(paused.rig.browser, `viewer ${size.width}`, size);
    await joinDrill(p, paused.rig.server.url, paused.drill.sessionId, paused.drill.responderCode, `viewer${size.width}`);
    await p.page.getByRole('list', { name: 'Alerts' }).getByRole('listitem').filter({ hasText: /FIRING · page/ }).first().waitFor();
    await p.page.evaluate('new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))');
    await p.page.screenshot({ path: artifact(`ui-layout-${size.width}x${size.height}.png`) });
    expect(await p.page.evaluate(OVERLAPS)).toEqual([]);
    expect(await p.page.evaluate('document.scrollingElement.scrollHeight <= innerHeight && document.scrollingElement.scrollWidth <= innerWidth')).toBe(true);
    await p.context.close();
  });
});

/**
 * Each selector's element, where it is not wholly on screen: outside the viewport, or cut off by an
 * ancestor that clips or scrolls its overflow (so seeing it would take scrolling that pane).
 */
const HIDDEN_PARTS = (selectors: readonly string[]) => `(() => {
  const out = [];
  for (const sel of ${JSON.stringify(selectors)}) {
    const el = document.querySelector(sel);
    if (!el) { out.push(sel + ': missing'); continue; }
    const r = el.getBoundingClientRect();
    if (r.width < 1 || r.height < 1) out.push(sel + ': not drawn');
    if (r.left < 0 || r.top < 0 || r.right > innerWidth || r.bottom > innerHeight) out.push(sel + ': outside the viewport ' + JSON.stringify(r));
    for (let a = el.parentElement; a; a = a.parentElement) {
      const s = getComputedStyle(a);
      if (s.overflowX === 'visible' && s.overflowY === 'visible') continue;
      const c = a.getBoundingClientRect();
      if (r.left < c.left - 0.5 || r.top < c.top - 0.5 || r.right > c.right + 0.5 || r.bottom > c.bottom + 0.5) out.push(sel + ': cut off by ' + a.tagName.toLowerCase() + '.' + [...a.classList].join('.'));
    }
  }
  return out;
})()`;

/** The tops of the timeline head's pieces (heading, checkboxes, text filter): one row has one top, give or take. */
const TIMELINE_HEAD_ROWS = `(() => {
  const tops = [...document.querySelectorAll('.timeline-head > *')].map((el) => Math.round(el.getBoundingClientRect().top));
  return Math.max(...tops) - Math.min(...tops);
})()`;

describe.skipIf(SKIP_BROWSER)('the incident panel of a paged drill in Chromium', () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = await startRig();
  }, 60_000);
  afterAll(async () => {
    await rig?.close();
  });

  it.each(SIZES)('at $width×$height: the status box, Post and Resolve show whole, nothing scrolls, the timeline filters keep one row', async (size) => {
    const drill = await createDrill(rig.server, { scenarioId: 'retail-sev1', speed: 60 });
    const facilitator = await person(rig.browser, `facilitator ${size.width}`, size);
    const responder = await person(rig.browser, `responder ${size.width}`, size);
    await startPaged(rig.server.url, drill, facilitator, [[responder, `responder${size.width}`]], 'pricing-rules-v2');
    const { page } = responder;
    await page.evaluate('new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))');
    await page.screenshot({ path: artifact(`ui-incident-${size.width}x${size.height}.png`) });
    expect(await page.evaluate(HIDDEN_PARTS(['#status-message', '.incident .incident-state', '.incident button.push-right', '.incident .row:last-child > button:first-child', '.timeline-head .timeline-filter']))).toEqual([]);
    expect(await page.getByRole('button', { name: 'Post status update' }).isEnabled()).toBe(true);
    expect(await page.getByRole('button', { name: 'Resolve incident' }).isEnabled()).toBe(true);
    expect(await page.evaluate('[document.scrollingElement, document.querySelector(".console")].every((el) => el.scrollHeight <= el.clientHeight && el.scrollWidth <= el.clientWidth)')).toBe(true);
    expect(await page.evaluate(TIMELINE_HEAD_ROWS)).toBeLessThanOrEqual(4);
    await facilitator.context.close();
    await responder.context.close();
  }, 90_000);
});
