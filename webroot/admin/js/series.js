// The last 10 minutes of the cluster, kept by this page from the events of /admin/cluster.stream (the server keeps
// no history of its own): per node and in all, messages published and delivered per second and open connections.
// A rate is the growth of a node's counters over the last 5 seconds of its answers (each node says when it took
// its figures), so that one second's luck does not make the line jump; a node that restarted starts afresh, and
// one that did not answer leaves a gap.

export const WINDOW_MS = 10 * 60 * 1000;
const RATE_WINDOW_MS = 5000;
/** Distinct hues for nodes, in the order they are first seen; the total is drawn in the accent colour. */
const HUES = [205, 28, 145, 285, 350, 95, 175, 250, 55, 320];

export class ClusterSeries {
  /** nodeId -> the counters of its answers of the last 5 s and the one before: [{t, published, delivered, startedAt}] */
  #recent = new Map();
  #hues = new Map();
  /** nodeId -> {nodeId, name, hue, points: [{t, published, delivered, connections}]} */
  nodes = new Map();
  /** The cluster in all: [{t, published, delivered, connections}] */
  total = [];

  /** Takes one /admin/cluster.json document. */
  add(cluster) {
    const now = Date.parse(cluster.takenAt);
    let published = 0;
    let delivered = 0;
    let rated = 0;
    for (const node of cluster.nodes) {
      const series = this.#seriesOf(node);
      if (!node.reachable) {
        this.#recent.delete(node.nodeId);
        series.points.push({ t: now, published: null, delivered: null, connections: null });
        continue;
      }
      const point = this.#pointOf(node);
      series.points.push(point);
      if (point.published !== null) {
        published += point.published;
        delivered += point.delivered;
        rated++;
      }
    }
    // The cluster's figure is known only when every member answered (and had answered before, for rates): a
    // sum over some of them would draw a dip that did not happen, so the line has a gap instead.
    const everyone = cluster.totals.answering === cluster.totals.nodes;
    const allRated = everyone && rated === cluster.nodes.length;
    this.total.push({
      t: now,
      published: allRated ? published : null,
      delivered: allRated ? delivered : null,
      connections: everyone ? cluster.totals.connections : null,
    });
    this.#trim(now);
  }

  #seriesOf(node) {
    let series = this.nodes.get(node.nodeId);
    if (!series) {
      if (!this.#hues.has(node.nodeId)) this.#hues.set(node.nodeId, HUES[this.#hues.size % HUES.length]);
      series = { nodeId: node.nodeId, name: node.node || node.nodeId.slice(0, 8), hue: this.#hues.get(node.nodeId), points: [] };
      this.nodes.set(node.nodeId, series);
    }
    if (node.node) series.name = node.node;
    return series;
  }

  #pointOf(node) {
    const t = Date.parse(node.takenAt);
    const sample = { t, published: node.messages.published, delivered: node.messages.delivered, startedAt: node.startedAt };
    let recent = this.#recent.get(node.nodeId) ?? [];
    if (recent.length && recent[recent.length - 1].startedAt !== sample.startedAt) recent = [];
    recent.push(sample);
    // Keep the newest answer that is at least the window old, as the start of the rate.
    while (recent.length > 2 && recent[1].t <= t - RATE_WINDOW_MS) recent.shift();
    this.#recent.set(node.nodeId, recent);
    const from = recent[0];
    const point = { t, published: null, delivered: null, connections: node.connections.open };
    if (from !== sample && t > from.t && sample.published >= from.published && sample.delivered >= from.delivered) {
      const seconds = (t - from.t) / 1000;
      point.published = (sample.published - from.published) / seconds;
      point.delivered = (sample.delivered - from.delivered) / seconds;
    }
    return point;
  }

  #trim(now) {
    const oldest = now - WINDOW_MS;
    const keep = (points) => {
      let drop = 0;
      while (drop < points.length && points[drop].t < oldest) drop++;
      if (drop) points.splice(0, drop);
    };
    keep(this.total);
    for (const [nodeId, series] of this.nodes) {
      keep(series.points);
      if (series.points.length === 0) this.nodes.delete(nodeId);
    }
  }

  /** The newest rates of a node (null before it answered twice). */
  latest(nodeId) {
    const points = this.nodes.get(nodeId)?.points ?? [];
    const last = points[points.length - 1];
    return last && last.published !== null ? last : null;
  }

  latestTotal() {
    return this.total[this.total.length - 1] ?? null;
  }
}
