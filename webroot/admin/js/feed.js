// The cluster's status as it changes: one EventSource on /admin/cluster.stream, which sends what
// /admin/cluster.json answers as a `cluster` event every second. When the node refuses the stream (401, 403, or
// 400 for a bad filter) EventSource gives up without saying why, so the page asks /admin/cluster.json the same
// question and shows the JSON error it answers.

export class ClusterFeed {
  #source = null;
  #retry = null;

  /** @param {{onCluster: Function, onState: Function, onRefused: Function}} callbacks */
  constructor({ onCluster, onState, onRefused }) {
    this.onCluster = onCluster;
    this.onState = onState;
    this.onRefused = onRefused;
  }

  /**
   * @param {URLSearchParams} query ns and limit
   * @param {string} token an admin JWT, or '' (the stream takes it in the query: EventSource sends no headers)
   */
  open(query, token) {
    this.close();
    this.query = query;
    this.token = token;
    const params = new URLSearchParams(query);
    if (token) params.set('access_token', token);
    const encoded = params.toString();
    const source = new EventSource(`/admin/cluster.stream${encoded ? `?${encoded}` : ''}`);
    this.#source = source;
    this.onState('connecting');
    source.onopen = () => this.onState('live');
    source.addEventListener('cluster', (event) => {
      this.onState('live');
      this.onCluster(JSON.parse(event.data));
    });
    source.onerror = () => {
      if (source.readyState === EventSource.CLOSED) this.#whyClosed(source);
      else this.onState('reconnecting');
    };
  }

  async #whyClosed(source) {
    if (source !== this.#source) return;
    this.onState('failed');
    let answer = null;
    try {
      const params = new URLSearchParams(this.query);
      params.set('limit', '0');
      const response = await fetch(`/admin/cluster.json?${params}`, {
        cache: 'no-store',
        headers: this.token ? { Authorization: `Bearer ${this.token}` } : {},
      });
      if (!response.ok) answer = { status: response.status, ...(await response.json()) };
    } catch {
      // The node is away: try again below, as EventSource would have.
    }
    if (source !== this.#source) return;
    if (answer && answer.status >= 400 && answer.status < 500) {
      this.onState('refused');
      this.onRefused(answer);
    } else {
      this.onState('reconnecting');
      this.#retry = setTimeout(() => this.open(this.query, this.token), 3000);
    }
  }

  close() {
    clearTimeout(this.#retry);
    if (this.#source) {
      this.#source.onerror = null;
      this.#source.close();
    }
    this.#source = null;
  }
}
