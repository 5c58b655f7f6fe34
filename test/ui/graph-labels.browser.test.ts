/**
 * The service graph's labels, in Chromium, on retail-sev1 in full cascade: no edge runs through a
 * label (each edge's path is sampled every pixel with getPointAtLength and tested against every
 * label's box, widened by half the edge's stroke), and every node has a label on screen, at the
 * desktop sizes and at 800 px, where the console stacks its panels.
 */
import { describe, expect, it } from 'vitest';
import { SKIP_BROWSER, artifact, joinDrill, person, withPausedDrill } from './browser.ts';

const SIZES = [
  { width: 1440, height: 900 },
  { width: 1280, height: 720 },
  { width: 1024, height: 768 },
  { width: 800, height: 900 },
];

/** Edge × label pairs whose geometry meets, and nodes without a label inside the graph (a script: the tests have no DOM types). */
const MEASURE = `(() => {
  const svg = document.querySelector('.gv svg.graph-svg');
  const size = svg.getBoundingClientRect();
  const labels = [...svg.querySelectorAll('text.label')]
    .filter((l) => l.getAttribute('display') !== 'none' && getComputedStyle(l).visibility !== 'hidden')
    .map((l) => ({ id: l.dataset.id, text: l.textContent, b: l.getBBox() }));
  const crossings = [];
  for (const p of svg.querySelectorAll('path.edge')) {
    const half = (Number(p.getAttribute('stroke-width')) || parseFloat(getComputedStyle(p).strokeWidth) || 1) / 2;
    const length = p.getTotalLength();
    for (const { id, b } of labels) {
      for (let s = 0; s <= length; s += 1) {
        const pt = p.getPointAtLength(s);
        if (pt.x >= b.x - half && pt.x <= b.x + b.width + half && pt.y >= b.y - half && pt.y <= b.y + b.height + half) {
          crossings.push(p.dataset.id + ' through the label of ' + id);
          break;
        }
      }
    }
  }
  const unlabelled = [];
  for (const node of svg.querySelectorAll('g.node')) {
    const id = node.dataset.id;
    const l = labels.find((x) => x.id === id);
    const inside = l && l.b.x >= 0 && l.b.y >= 0 && l.b.x + l.b.width <= size.width + 0.5 && l.b.y + l.b.height <= size.height + 0.5;
    if (!l || !inside || !l.text.trim()) unlabelled.push(id);
  }
  return { crossings, unlabelled, labels: labels.length, nodes: svg.querySelectorAll('g.node').length };
})()`;

describe.skipIf(SKIP_BROWSER)('the service graph labels in Chromium', () => {
  const paused = withPausedDrill();

  it.each(SIZES)('at $width×$height: no edge crosses a label, and every node has one', async (size) => {
    const p = await person(paused.rig.browser, `graph ${size.width}`, size);
    await joinDrill(p, paused.rig.server.url, paused.drill.sessionId, paused.drill.responderCode, `graph${size.width}`);
    await p.page.locator('.gv g.node.down').first().waitFor({ timeout: 30_000 });
    await p.page.evaluate('new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))');
    await p.page.locator('.gv').screenshot({ path: artifact(`ui-graph-${size.width}x${size.height}.png`) });
    const m = (await p.page.evaluate(MEASURE)) as { crossings: string[]; unlabelled: string[]; labels: number; nodes: number };
    expect(m.nodes).toBe(13);
    expect({ crossings: m.crossings, unlabelled: m.unlabelled }).toEqual({ crossings: [], unlabelled: [] });
    await p.context.close();
  });
});
