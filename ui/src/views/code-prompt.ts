/**
 * "Join code (or the facilitator token)": what the debrief and the replay ask for when this browser
 * holds no credential that opens the drill (a 401). The code given is kept for the drill, as a join
 * link's would be, and handed to `open`.
 */
import { saveCredentials } from '../credentials.ts';
import { h } from '../dom.ts';

export interface CodePrompt {
  form: HTMLFormElement;
  input: HTMLInputElement;
}

export function codePrompt(sessionId: string, id: string, buttonText: string, open: (code: string) => void): CodePrompt {
  const input = h('input', { id, required: true, autocomplete: 'off' });
  const form = h('form', { class: 'replay-ask', hidden: true }, h('label', { for: id, text: 'Join code (or the facilitator token)' }), input, h('button', { type: 'submit', text: buttonText }));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const code = input.value.trim();
    if (!code) return;
    saveCredentials(sessionId, { code });
    open(code);
  });
  return { form, input };
}
