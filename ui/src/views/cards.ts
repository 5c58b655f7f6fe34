/**
 * Lists of cards that are built once and updated in place, keyed by id: a card's buttons and text
 * boxes (a half-written reason, the focus) survive the many redraws a running drill makes.
 */
export interface Card<T> {
  element: HTMLElement;
  update(item: T): void;
}

/** Returns the function that shows `items`, in that order, in `list`. */
export function keyedCards<T>(list: HTMLElement, key: (item: T) => string, create: (item: T) => Card<T>): (items: readonly T[]) => void {
  const cards = new Map<string, Card<T>>();
  return (items) => {
    const keep = new Set<string>();
    let previous: Element | null = null;
    for (const item of items) {
      const k = key(item);
      keep.add(k);
      let card = cards.get(k);
      if (!card) {
        card = create(item);
        cards.set(k, card);
      }
      card.update(item);
      // Moved only when out of place: moving a card would take the focus from inside it.
      const at: Element | null = previous ? previous.nextElementSibling : list.firstElementChild;
      if (at !== card.element) list.insertBefore(card.element, at);
      previous = card.element;
    }
    for (const [k, card] of cards) {
      if (keep.has(k)) continue;
      card.element.remove();
      cards.delete(k);
    }
  };
}

/** Sets an element's text only when it changed (redraws come every tick). */
export function setText(el: HTMLElement, text: string): void {
  if (el.textContent !== text) el.textContent = text;
}

/** Minutes and seconds of simulated time, e.g. 750000 → "12:30" (hours when there are any: "1:02:03"). */
export function minSec(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const pad = (n: number) => String(n).padStart(2, '0');
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}:${pad(m)}:${pad(s % 60)}` : `${m}:${pad(s % 60)}`;
}
