// The streams the nodes listed (each at most ?limit= of its own): filtered by any text in a row, sorted by any
// column, newest answer kept as it comes. Client addresses and user agents are shown here only: the node never
// logs them.

import { el } from '/js/dom.js';
import { count, namespaceLabel, protocolLabel, since } from './format.js';

const COLUMNS = [
  { key: 'node', label: 'Node' },
  { key: 'path', label: 'Path', mono: true },
  { key: 'namespaces', label: 'Namespaces', mono: true },
  { key: 'clientAddress', label: 'Client', mono: true },
  { key: 'userAgent', label: 'User agent' },
  { key: 'protocol', label: 'Protocol' },
  { key: 'connectedAt', label: 'Connected since' },
  { key: 'messagesSent', label: 'Messages sent', numeric: true },
];

export class StreamTable {
  #rows = [];
  #sort = { key: 'connectedAt', descending: true };
  #filter = '';

  constructor(table, summary, filterInput) {
    this.table = table;
    this.summary = summary;
    filterInput.addEventListener('input', () => {
      this.#filter = filterInput.value.trim().toLowerCase();
      this.#draw();
    });
    const sortBy = (event) => {
      const header = event.target.closest('th[data-key]');
      if (!header) return;
      event.preventDefault();
      const key = header.dataset.key;
      this.#sort = { key, descending: this.#sort.key === key ? !this.#sort.descending : key === 'messagesSent' };
      this.#draw();
      this.table.querySelector(`th[data-key="${key}"]`).focus();
    };
    this.table.addEventListener('click', sortBy);
    this.table.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' || event.key === ' ') sortBy(event);
    });
    this.open = 0;
  }

  update(cluster) {
    this.#rows = [];
    for (const node of cluster.nodes) {
      if (!node.reachable) continue;
      for (const stream of node.connections.list) {
        const namespaces = stream.namespaces.map(namespaceLabel).join(', ');
        this.#rows.push({
          ...stream, node: node.node, namespaces, protocol: protocolLabel(stream.protocol),
          text: [node.node, stream.path, namespaces, stream.clientAddress, stream.userAgent, stream.protocol]
            .join(' ').toLowerCase(),
        });
      }
    }
    this.open = cluster.totals.connections;
    this.#draw();
  }

  #draw() {
    const shown = this.#filter ? this.#rows.filter((row) => row.text.includes(this.#filter)) : [...this.#rows];
    const { key, descending } = this.#sort;
    const numeric = COLUMNS.find((column) => column.key === key)?.numeric;
    shown.sort((a, b) => {
      const order = numeric ? a[key] - b[key] : String(a[key]).localeCompare(String(b[key]));
      return descending ? -order : order;
    });
    const head = el('tr', {}, COLUMNS.map((column) => el('th', {
      scope: 'col', class: column.numeric ? 'num sortable' : 'sortable', dataset: { key: column.key },
      'aria-sort': column.key === key ? (descending ? 'descending' : 'ascending') : 'none', tabindex: 0,
    }, column.label)));
    const body = shown.map((row) => el('tr', {}, COLUMNS.map((column) => el('td', {
      class: [column.numeric ? 'num' : '', column.mono ? 'mono' : ''].join(' ').trim() || undefined,
      title: column.key === 'userAgent' ? row.userAgent : undefined,
    }, cell(row, column.key)))));
    if (body.length === 0) {
      body.push(el('tr', {}, el('td', { class: 'empty-row', colspan: COLUMNS.length },
        this.#rows.length ? 'No listed stream matches the filter.' : 'No stream is open.')));
    }
    this.table.replaceChildren(el('thead', {}, head), el('tbody', {}, body));
    this.summary.textContent = `${count(shown.length)} shown · ${count(this.#rows.length)} listed · ${count(this.open)} open`;
  }
}

function cell(row, key) {
  if (key === 'connectedAt') return since(row.connectedAt);
  if (key === 'messagesSent') return count(row.messagesSent);
  return row[key] || '–';
}
