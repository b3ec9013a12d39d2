// The admin console: the whole cluster on one page, live. Every second /admin/cluster.stream sends the status of
// every member; the page keeps the last 10 minutes of it for the charts (series.js) and redraws the cards and
// tables. ?ns= (namespaces) and ?limit= (streams per node) in the address go to the server as they are.

import { $ } from '/js/dom.js';
import { ClusterFeed } from './feed.js';
import { ClusterSeries } from './series.js';
import { LineChart } from './chart.js';
import { NodeCards } from './nodes.js';
import { renderBusiest } from './busiest.js';
import { StreamTable } from './streams.js';
import { takeTokenFromAddress, token, showRefusal, hideRefusal } from './access.js';
import { bytes, clock, count, protocolLabel, rate } from './format.js';

const STATE_TEXT = {
  connecting: 'Connecting…', live: 'Live', reconnecting: 'Reconnecting…', failed: 'Disconnected', refused: 'Access needed',
};

takeTokenFromAddress();
const series = new ClusterSeries();
const cards = new NodeCards($('#nodes'));
const streams = new StreamTable($('#streams'), $('#streams-summary'), $('#streams-filter'));
const charts = [
  new LineChart('published', 'Messages published / s', rate),
  new LineChart('delivered', 'Messages delivered / s', rate),
  new LineChart('connections', 'Connections', count),
];
$('#charts').append(...charts.map((chart) => chart.element));

const feed = new ClusterFeed({
  onCluster: render,
  onState: (state) => {
    $('#conn').dataset.state = state === 'refused' ? 'failed' : state;
    $('#conn-text').textContent = STATE_TEXT[state] ?? state;
    if (state === 'live') hideRefusal();
  },
  onRefused: (answer) => showRefusal(answer, open),
});

function render(cluster) {
  series.add(cluster);
  const now = Date.parse(cluster.takenAt);
  $('#node-name').textContent = cluster.node;
  $('#updated').textContent = clock(new Date(now));
  renderTotals(cluster);
  cards.render(cluster, series);
  const lines = [...series.nodes.values()].map((node) => ({ label: node.name, hue: node.hue, points: node.points }));
  lines.push({ label: 'all nodes', total: true, points: series.total });
  charts.forEach((chart) => chart.draw(now, lines));
  renderBusiest($('#busiest'), $('#busiest-summary'), cluster);
  streams.update(cluster);
  $('#dashboard').hidden = false;
}

function renderTotals(cluster) {
  const totals = cluster.totals;
  const latest = series.latestTotal();
  const set = (key, value, detail = '') => {
    $(`[data-total="${key}"]`).textContent = value;
    $(`[data-total-detail="${key}"]`).textContent = detail;
  };
  const missing = totals.nodes - totals.answering;
  set('nodes', count(totals.nodes), missing ? `${count(missing)} not answering` : 'all answering');
  set('connections', count(totals.connections), Object.entries(totals.connectionsByProtocol)
    .map(([alpn, n]) => `${protocolLabel(alpn)} ${count(n)}`).join(' · '));
  set('published', latest?.published != null ? rate(latest.published) : '…', 'messages in');
  set('delivered', latest?.delivered != null ? rate(latest.delivered) : '…', 'to streams');
  set('namespaces', count(totals.namespacesWatched), 'with subscribers');
  set('slow', count(totals.slowClientsDropped), 'dropped since start');
  set('history', `${count(totals.history.messagesHeld)} msgs`, bytes(totals.history.bytesHeld));
  $('#totals').dataset.unreachable = String(missing > 0);
}

/** ?ns= and ?limit= of the address, as the server reads them. */
function query() {
  const params = new URLSearchParams(location.search);
  const query = new URLSearchParams();
  for (const name of ['ns', 'limit']) {
    if (params.get(name)) query.set(name, params.get(name));
  }
  return query;
}

function open() {
  const current = query();
  $('#filter-ns').value = current.get('ns') ?? '';
  $('#filter-limit').value = current.get('limit') ?? '100';
  feed.open(current, token());
}

$('#filter-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const url = new URL(location.href);
  const ns = $('#filter-ns').value.trim();
  if (ns) url.searchParams.set('ns', ns);
  else url.searchParams.delete('ns');
  url.searchParams.set('limit', $('#filter-limit').value);
  history.pushState(null, '', url);
  open();
});
window.addEventListener('popstate', open);

open();
