/**
 * A campaign's score from drill to drill: a small D3 line over the drills in order (0–100), a point and
 * its value per scored drill, and a gap where a drill is not scored yet. The numbers are also in the
 * page's drills table, which the figure names as its description (aria-describedby) for screen readers.
 */
import { axisLeft, line, scaleLinear, scalePoint, select } from 'd3';
import type { CampaignDrill } from '../../../engine/protocol/messages.ts';
import { h } from '../dom.ts';

// About the size it is drawn at beside the response times (1280 to 1440 px wide), so its text stays near 11 px.
const WIDTH = 380;
const HEIGHT = 200;
const MARGIN = { top: 22, right: 16, bottom: 28, left: 34 };

/** `tableId`: the table that holds the same numbers. */
export function scoreTrend(drills: readonly CampaignDrill[], tableId: string): HTMLElement {
  const scored = drills.filter((d) => d.score !== null);
  const summary =
    scored.length === 0
      ? 'No drill is scored yet.'
      : `Score by drill: ${drills.map((d, i) => `drill ${i + 1}, ${d.score === null ? 'not scored yet' : d.score}`).join('; ')}.`;
  const figure = h('figure', { class: 'score-trend' }, h('figcaption', { text: 'Score, drill by drill (0–100)' }));
  if (scored.length === 0) {
    figure.append(h('p', { class: 'muted', text: 'No drill is scored yet: the trend appears once the first one has ended.' }));
    return figure;
  }
  const svg = select(figure)
    .append('svg')
    .attr('viewBox', `0 0 ${WIDTH} ${HEIGHT}`)
    .attr('role', 'img')
    .attr('aria-label', summary)
    .attr('aria-describedby', tableId);
  const x = scalePoint<number>()
    .domain(drills.map((_d, i) => i))
    .range([MARGIN.left, WIDTH - MARGIN.right])
    .padding(0.5);
  const y = scaleLinear().domain([0, 100]).range([HEIGHT - MARGIN.bottom, MARGIN.top]);
  svg
    .append('g')
    .attr('class', 'axis')
    .attr('transform', `translate(${MARGIN.left},0)`)
    .call(
      axisLeft(y)
        .tickValues([0, 25, 50, 75, 100])
        .tickSize(-(WIDTH - MARGIN.left - MARGIN.right)),
    )
    .call((g) => g.select('.domain').remove());
  svg
    .append('g')
    .attr('class', 'drill-ticks')
    .selectAll('text')
    .data(drills)
    .join('text')
    .attr('x', (_d, i) => x(i) ?? 0)
    .attr('y', HEIGHT - 8)
    .attr('text-anchor', 'middle')
    .text((_d, i) => `drill ${i + 1}`);
  const trend = line<CampaignDrill>()
    .defined((d) => d.score !== null)
    .x((d) => x(drills.indexOf(d)) ?? 0)
    .y((d) => y(d.score ?? 0));
  svg.append('path').attr('class', 'trend-line').attr('d', trend(drills as CampaignDrill[]));
  const points = svg
    .append('g')
    .attr('class', 'points')
    .selectAll('g')
    .data(scored)
    .join('g')
    .attr('transform', (d) => `translate(${x(drills.indexOf(d)) ?? 0},${y(d.score ?? 0)})`);
  points.append('circle').attr('r', 4);
  points
    .append('text')
    .attr('class', 'value')
    .attr('y', -9)
    .attr('text-anchor', 'middle')
    .text((d) => String(d.score));
  return figure;
}
