// Incidents: reserved for the incident agent (a later issue); says so rather than showing an empty table.
import { h } from '../lib.js';

export function render(main) {
  main.append(
    h('h2', {}, 'Incidents'),
    h('p', { class: 'notice', role: 'status' }, 'The incident agent is not part of this gateway yet. Its investigations will be listed here; until then see Overview for active alerts and Dead letters for failed structured outputs.'),
  );
  return undefined;
}
