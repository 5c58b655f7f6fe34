/**
 * The lobby's choice of which drill to run: an exact seed (the same seed is the same drill, for
 * comparing teams), or a difficulty, for which the server picks a seed it has rated (easy, typical or
 * hard; docs/protocol.md, "Drills by difficulty"). The difficulty can be chosen only once the server's
 * rating of the scenario's seeds is ready; until then the control says how far it has got, or why it
 * cannot be.
 */
import { DIFFICULTIES, type Difficulty, type ScenarioDifficulty, type ScenarioListing } from '../../../engine/protocol/messages.ts';
import { h } from '../dom.ts';

export interface DrillPick {
  element: HTMLElement;
  /** The request's fields for the chosen drill. */
  value(): { seed: number } | { difficulty: Difficulty };
  /** Shows where the server's rating of this scenario's seeds stands. */
  show(state: ScenarioDifficulty | undefined): void;
  /** Switches to this exact seed: the drill just created, for another team. */
  useSeed(seed: number): void;
}

/** Still being rated: worth asking the server again. */
export const rating = (state: ScenarioDifficulty | undefined): boolean => state?.status === 'pending' || state?.status === 'computing';

/** `key` makes the control's ids unique on the page: a scenario's card uses its id, a campaign's drill its own key. */
export function drillPick(s: ScenarioListing, key = s.id): DrillPick {
  const name = `pick-${key}`;
  const bySeed = h('input', { type: 'radio', name, value: 'seed', id: `${name}-seed`, checked: true });
  const byDifficulty = h('input', { type: 'radio', name, value: 'difficulty', id: `${name}-difficulty` });
  const seed = h('input', { type: 'number', min: 0, max: 2147483647, step: 1, value: s.defaultSeed, id: `seed-${key}`, 'aria-label': 'Seed number' });
  const difficulty = h('select', { id: `difficulty-${key}`, 'aria-label': 'Difficulty level' });
  for (const d of DIFFICULTIES) difficulty.append(h('option', { value: d, text: d, selected: d === 'typical' }));
  const progress = h('progress', { max: 1, value: 0, hidden: true, 'aria-hidden': 'true' });
  const note = h('span', { class: 'difficulty-note', id: `${name}-note` });
  // Not a live region: the progress changes every few seconds, and would be read out each time.
  const state = h('span', { class: 'difficulty-state' }, progress, note);
  byDifficulty.setAttribute('aria-describedby', note.id);

  // Typing a seed or picking a difficulty chooses that way of picking the drill.
  seed.addEventListener('input', () => (bySeed.checked = true));
  difficulty.addEventListener('change', () => (byDifficulty.checked = true));

  const element = h(
    'fieldset',
    { class: 'drill-pick' },
    h('legend', { text: 'Drill' }),
    h('label', { for: bySeed.id, class: 'check' }, bySeed, ' Seed'),
    seed,
    h('label', { for: byDifficulty.id, class: 'check' }, byDifficulty, ' Difficulty'),
    difficulty,
    state,
  );

  const show = (st: ScenarioDifficulty | undefined) => {
    const ready = st?.status === 'ready' && st.counts !== null;
    byDifficulty.disabled = !ready;
    difficulty.disabled = !ready;
    if (!ready && byDifficulty.checked) bySeed.checked = true;
    element.classList.toggle('difficulty-ready', ready);
    progress.hidden = st?.status !== 'computing';
    if (st?.status === 'computing') {
      progress.max = Math.max(1, st.seeds);
      progress.value = st.done;
    }
    if (ready && st.counts) {
      const counts = st.counts;
      for (const option of difficulty.options) {
        const n = counts[option.value as Difficulty];
        option.textContent = `${option.value} (${n} ${n === 1 ? 'seed' : 'seeds'})`;
        option.disabled = n === 0;
      }
      note.textContent = `picked from ${st.seeds} rated seeds`;
    } else note.textContent = waiting(st);
    note.title = note.textContent;
  };
  show(s.difficulty);

  return {
    element,
    value: () => (byDifficulty.checked ? { difficulty: difficulty.value as Difficulty } : { seed: Number(seed.value) }),
    show,
    useSeed: (n) => {
      seed.value = String(n);
      bySeed.checked = true;
      seed.focus();
    },
  };
}

/** Why the difficulty cannot be chosen yet, or at all. */
function waiting(st: ScenarioDifficulty | undefined): string {
  // Servers older than the field rate nothing.
  if (!st) return 'unavailable: this server does not rate seeds by difficulty';
  switch (st.status) {
    case 'pending':
      return `waiting to rate ${st.seeds} seeds…`;
    case 'computing':
      return `rating seeds… ${st.done}/${st.seeds}`;
    default:
      return `unavailable: ${st.reason ?? 'no ratings'}`;
  }
}
