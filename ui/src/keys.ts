/**
 * Keyboard shortcuts for the console. They act through the console's own controls (the ack button,
 * the status composer), so a shortcut can do nothing the screen would not let you do with the mouse,
 * and they are off while you type in a field. `?` lists them.
 */
import { h } from './dom.ts';

export interface ShortcutRegions {
  graph: HTMLElement;
  timeline: HTMLElement;
  pager: HTMLElement;
  incident: HTMLElement;
  /** The selected service's actions, and its details (Diagnose). */
  actions?: HTMLElement;
  details?: HTMLElement;
  /** The approval banner (views/approval-banner.ts): `y` approves its first request. */
  banner?: HTMLElement;
}

type Notify = (text: string, kind?: 'ok' | 'error') => void;

interface Shortcut {
  key: string;
  label: string;
  describe: string;
}

const SHORTCUTS: readonly Shortcut[] = [
  { key: 'a', label: 'a', describe: 'Acknowledge the page' },
  { key: 'd', label: 'd', describe: 'Declare the incident at the severity chosen in the Incident panel (Sev 1 unless changed)' },
  { key: 'x', label: 'x', describe: 'Diagnose the selected service (read its logs)' },
  { key: 'r', label: 'r', describe: "Go to the selected service's actions (Enter runs the focused one; Tab moves on)" },
  { key: 'y', label: 'y', describe: 'Approve the request in the approval banner' },
  { key: 'g', label: 'g', describe: 'Focus the service graph' },
  { key: 't', label: 't', describe: 'Focus the timeline (↑ ↓ Home End move between lines; Enter shows one whole)' },
  { key: '/', label: '/', describe: 'Write a status update (Ctrl+Enter posts it)' },
  { key: 'q', label: 'q', describe: 'Ask the assistant' },
  { key: 'Arrows', label: '↑ ↓ ← →', describe: 'In the graph: move between services (← a caller, → a callee, ↑ ↓ the same column); Enter or Space selects' },
  { key: '?', label: '?', describe: 'Show or hide this list' },
  { key: 'Escape', label: 'Esc', describe: 'Close this list' },
];

/** Inputs that take typed text; keys pressed in these are the user's, not shortcuts. */
const NOT_TEXT = new Set(['checkbox', 'radio', 'button', 'submit', 'reset', 'range', 'color', 'file', 'image']);

function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  const tag = target.tagName;
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
  return tag === 'INPUT' && !NOT_TEXT.has((target as HTMLInputElement).type);
}

const FOCUSABLE = 'button:not(:disabled), a[href], input:not(:disabled), select:not(:disabled), textarea:not(:disabled), [tabindex]:not([tabindex="-1"])';

/** Focuses `preferred` (or the first focusable thing inside the region, or the region itself). */
function focusIn(region: HTMLElement, preferred?: HTMLElement | null): void {
  const el = preferred ?? region.querySelector<HTMLElement>(FOCUSABLE) ?? region;
  if (el === region && !region.hasAttribute('tabindex')) region.setAttribute('tabindex', '-1');
  el.focus();
  el.scrollIntoView?.({ block: 'nearest' });
}

/** Listens for the shortcuts on the whole document; returns the function that removes them. */
/** `questionBox`: shows the assistant's pane and returns its question box. */
export function installShortcuts(root: HTMLElement, regions: ShortcutRegions, notify: Notify, questionBox: () => HTMLInputElement | null): () => void {
  let help: HTMLDialogElement | null = null;

  function toggleHelp(): void {
    if (help?.open) {
      help.close();
      return;
    }
    if (!help) {
      const close = h('button', { type: 'button', text: 'Close' });
      help = h(
        'dialog',
        { class: 'shortcuts', 'aria-labelledby': 'shortcuts-title' },
        h('h2', { id: 'shortcuts-title', text: 'Keyboard shortcuts' }),
        h('dl', {}, ...SHORTCUTS.flatMap((s) => [h('dt', {}, h('kbd', { text: s.label })), h('dd', { text: s.describe })])),
        h('p', { class: 'since', text: 'Shortcuts are off while you type in a field.' }),
        close,
      );
      close.addEventListener('click', () => help?.close());
      root.append(help);
    }
    help.showModal();
  }

  function acknowledge(): void {
    const button = [...regions.pager.querySelectorAll('button')].find((b) => b.textContent?.startsWith('Acknowledge'));
    if (button && !button.disabled) button.click();
    else notify('Acknowledge: nothing to acknowledge now (or only a responder can)', 'error');
  }

  /** Clicks the enabled button in `region` whose text starts with `text`, or says why nothing happened. */
  function press(region: HTMLElement | undefined, text: string, why: string): void {
    const button = [...(region?.querySelectorAll('button') ?? [])].find((b) => b.textContent?.startsWith(text));
    if (button && !button.disabled) button.click();
    else notify(why, 'error');
  }

  function approve(): void {
    const button = regions.banner?.querySelector<HTMLButtonElement>('button.banner-approve:not(:disabled)');
    if (button) button.click();
    else notify('Approve: nothing is waiting for your approval', 'error');
  }

  function onKey(event: KeyboardEvent): void {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || event.isComposing) return;
    if (help?.open) {
      // The dialog is modal: Escape closes it natively; `?` closes it too; nothing else applies.
      if (event.key === '?') {
        event.preventDefault();
        help.close();
      }
      return;
    }
    if (isTyping(event.target)) return;
    const actions: Record<string, () => void> = {
      a: acknowledge,
      d: () => press(regions.incident, 'Declare', 'Declare: only a responder can declare, once something has paged'),
      x: () => press(regions.details, 'Diagnose', 'Diagnose: select a service first (g, then the arrows and Enter)'),
      r: () => {
        const first = regions.actions?.querySelector<HTMLButtonElement>('.actions button:not(:disabled)');
        if (first) focusIn(regions.actions as HTMLElement, first);
        else notify('Actions: nothing can run now for the selected service', 'error');
      },
      y: approve,
      g: () => focusIn(regions.graph),
      // The timeline's current line (arrow keys move between lines), else the panel itself.
      t: () => focusIn(regions.timeline, regions.timeline.querySelector<HTMLElement>('li.ev[tabindex="0"]') ?? regions.timeline),
      '/': () => focusIn(regions.incident, regions.incident.querySelector('textarea')),
      q: () => {
        const box = questionBox();
        if (box && !box.disabled) box.focus();
        else notify('Ask: only a responder can ask, while the drill runs', 'error');
      },
      '?': toggleHelp,
    };
    const run = actions[event.key];
    if (!run || (event.repeat && (event.key === 'a' || event.key === 'y'))) return;
    event.preventDefault();
    run();
  }

  document.addEventListener('keydown', onKey);
  return () => {
    document.removeEventListener('keydown', onKey);
    help?.close();
    help?.remove();
  };
}
