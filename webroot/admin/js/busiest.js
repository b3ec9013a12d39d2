// The busiest namespaces: subscribers in all and on each node, as the cluster's answer lists them (the busiest
// first). A stream counts for the namespaces it listens to as its subscription reduced them (pets, not also
// pets.dogs, for ?ns=pets,pets.dogs).

import { el } from '/js/dom.js';
import { count, namespaceLabel } from './format.js';

const SHOWN = 15;

export function renderBusiest(table, summary, cluster) {
  const nodes = cluster.nodes.filter((node) => node.reachable);
  const head = el('tr', {}, el('th', { scope: 'col' }, 'Namespace'), el('th', { scope: 'col', class: 'num' }, 'All'),
    nodes.map((node) => el('th', { scope: 'col', class: 'num' }, node.node)));
  const rows = cluster.namespaces.slice(0, SHOWN).map((entry) => el('tr', { dataset: { ns: entry.namespace } },
    el('th', { scope: 'row', class: 'mono' }, namespaceLabel(entry.namespace)),
    el('td', { class: 'num strong' }, count(entry.subscribers)),
    nodes.map((node) => el('td', { class: 'num' }, count(entry.byNode[node.nodeId] ?? 0)))));
  if (rows.length === 0) {
    rows.push(el('tr', {}, el('td', { class: 'empty-row', colspan: nodes.length + 2 }, 'No stream is open.')));
  }
  table.replaceChildren(el('thead', {}, head), el('tbody', {}, rows));
  const watched = cluster.totals.namespacesWatched;
  summary.textContent = watched > SHOWN ? `the ${SHOWN} busiest of ${count(watched)}` : `${count(watched)} watched`;
}
