// A card per node: its state, uptime, connections by protocol, messages in and out per second, slow clients
// dropped, its Redis roles and the history its partitions hold. A node that no longer appears in the cluster's
// answer keeps its card, marked gone, until the page is reloaded: a node that vanished should be seen to.

import { el } from '/js/dom.js';
import { bytes, clock, count, duration, plural, protocolLabel, rate } from './format.js';

const STATE_LABELS = {
  up: 'up', starting: 'starting', 'stepped-down': 'stepped down', leaving: 'leaving',
  unreachable: 'unreachable', gone: 'gone', unknown: 'unknown',
};

export class NodeCards {
  /** nodeId -> {name, lastSeen: Date, lastAnswer} of every node this page has seen */
  #known = new Map();

  constructor(container) {
    this.container = container;
  }

  /**
   * @param {object} cluster /admin/cluster.json
   * @param {import('./series.js').ClusterSeries} series for the newest rates
   */
  render(cluster, series) {
    const listed = new Set();
    const cards = [];
    for (const node of cluster.nodes) {
      listed.add(node.nodeId);
      const known = this.#known.get(node.nodeId) ?? {};
      if (node.reachable) {
        known.lastAnswer = node;
        known.lastSeen = new Date(node.takenAt);
      }
      known.name = node.node || known.name;
      this.#known.set(node.nodeId, known);
      cards.push(card(node, known, series.latest(node.nodeId), series.nodes.get(node.nodeId)?.hue));
    }
    for (const [nodeId, known] of this.#known) {
      if (!listed.has(nodeId)) {
        cards.push(card({ nodeId, node: known.name, reachable: false, state: 'gone', error: 'no longer a member of the cluster' },
          known, null, series.nodes.get(nodeId)?.hue));
      }
    }
    this.container.replaceChildren(...cards);
  }
}

function card(node, known, rates, hue) {
  const state = node.state || 'unknown';
  const name = el('h3', { class: 'node-title' }, node.node || known.name || `node ${node.nodeId.slice(0, 8)}`);
  if (hue !== undefined) name.style.setProperty('--node-hue', hue);
  const head = el('div', { class: 'node-head' }, name,
    el('span', { class: 'pill node-state', dataset: { state } }, STATE_LABELS[state] ?? state));
  const body = node.reachable ? figures(node, rates) : missing(node, known);
  return el('article', { class: 'node-card', dataset: { state, nodeId: node.nodeId } }, head,
    el('p', { class: 'node-id', title: node.nodeId }, `id ${node.nodeId.slice(0, 8)}`,
      node.reachable ? ` · up ${duration(node.uptimeSeconds)}` : ''),
    body);
}

function figures(node, rates) {
  const connections = node.connections;
  const protocols = Object.entries(connections.byProtocol ?? {})
    .map(([alpn, n]) => `${protocolLabel(alpn)} ${count(n)}`).join(' · ');
  const history = node.history ?? {};
  const rows = [
    row('Connections', count(connections.open), protocols || 'none open', 'connections'),
    row('In / s', rates ? rate(rates.published) : '…', 'published here', 'in'),
    row('Out / s', rates ? rate(rates.delivered) : '…', 'to its streams', 'out'),
    row('Slow clients dropped', count(connections.slowClientsDropped), null, 'slow'),
    row('Redis', connectionState(node.redis), redisRoles(node.redis), 'redis'),
    row('PostgreSQL', connectionState(node.postgres), postgresRoles(node.postgres), 'postgres'),
    row('History held', history.kept === false ? 'off' : `${count(history.messagesHeld)} msgs`,
      history.kept === false ? null : `${bytes(history.bytesHeld)} · ${plural(history.namespacesHeld, 'namespace')}`, 'history'),
  ];
  const list = el('dl', { class: 'node-figures' }, rows);
  if (node.reason) return [el('p', { class: 'node-reason' }, node.reason), list];
  return list;
}

function missing(node, known) {
  return el('div', { class: 'node-missing' },
    el('p', { class: 'node-reason' }, node.error || 'no answer'),
    el('p', { class: 'node-last' }, known.lastSeen ? `last answered ${clock(known.lastSeen)}` : 'has not answered this page yet'));
}

function row(label, value, detail, key) {
  return el('div', { class: 'node-row', dataset: { figure: key } },
    el('dt', {}, label),
    el('dd', {}, el('span', { class: 'value' }, value), detail ? el('span', { class: 'detail' }, detail) : null));
}

/** An ingestion's connection: connected, connecting, disconnected, or off when the node does not ingest from it. */
function connectionState(source) {
  if (!source) return '–';
  return source.state === 'disabled' ? 'off' : source.state;
}

/** The roles this node holds for the cluster: at most one node reads PUBSUB, one reads the ingest stream. */
function redisRoles(redis) {
  if (!redis || redis.state === 'disabled') return null;
  const roles = [];
  if (redis.pubsubLeader) roles.push('PUBSUB reader');
  if (redis.streamReader) roles.push('stream reader');
  return roles.length ? roles.join(' · ') : 'standby';
}

/** At most one node LISTENs to PostgreSQL for the cluster, one drains the outbox table. */
function postgresRoles(postgres) {
  if (!postgres || postgres.state === 'disabled') return null;
  const roles = [];
  if (postgres.listener) roles.push('listener');
  if (postgres.outboxDrainer) roles.push('outbox drainer');
  return roles.length ? roles.join(' · ') : 'standby';
}
