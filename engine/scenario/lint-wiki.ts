/** Checks of the wiki and the architecture changes: what they name exists, and a page's history runs up to its last edit. */
import { dayOf } from '../protocol/scenario.ts';
import { unknown, type Ctx } from './lint-context.ts';

export function checkWiki({ s, report, services }: Ctx): void {
  s.wiki.forEach((page, i) => {
    page.services.forEach((service, j) => {
      if (!services.has(service)) report(['wiki', i, 'services', j], unknown('service', service, services));
    });
    const proposal = page.proposes;
    if (proposal !== undefined && !s.actions.some((a) => a.type === proposal.type && a.target === proposal.target)) {
      report(['wiki', i, 'proposes'], `wiki page ${JSON.stringify(page.id)} proposes a ${proposal.type} of ${JSON.stringify(proposal.target)}, which is not in "actions"`, 'warning');
    }
    page.history.forEach((edit, j) => {
      if (dayOf(edit.edited) > dayOf(page.edited)) {
        report(['wiki', i, 'history', j, 'edited'], `an earlier edit of wiki page ${JSON.stringify(page.id)} is dated ${edit.edited}, after its last edit (${page.edited})`);
      }
    });
  });
  s.architecture.forEach((change, i) => {
    change.services.forEach((service, j) => {
      if (!services.has(service)) report(['architecture', i, 'services', j], unknown('service', service, services));
    });
  });
}
