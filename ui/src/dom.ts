/** Tiny DOM helpers: build elements with attributes and children, escape nothing by hand. */
import { formatPercent } from '../../engine/protocol/format.ts';

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number | boolean | undefined> = {},
  ...children: (Node | string | null | undefined)[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (k === 'text') el.textContent = String(v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) if (c !== null && c !== undefined) el.append(c);
  return el;
}

/** A rate as a percentage, with two decimals below 10% so small error rates still read. */
export const percent = (x: number): string => formatPercent(x, x < 0.1 ? 2 : 1);
