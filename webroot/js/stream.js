// One EventSource per namespace: /subscribe/<segments>. Reports every message (unnamed and named ones,
// see event-names.js) and the connection state: connecting, live, reconnecting, or failed when the
// browser gave up (the server refused the stream, e.g. with a 400, so EventSource will not retry).
// When EventSource reconnects it sends the id it saw last, and the server first sends what was missed:
// with markReplay=true it says how many in an sse-replay event, so those are shown as replayed; an
// sse-gap event says that history could not close the gap. A manual retry resumes the same way.

import { subscribePath } from './namespaces.js';
import { pageToken } from './url-state.js';

export class NamespaceStream {
  #source = null;
  #handlers = new Map();
  #stopListeningForNames = null;
  /** Events still to come of the replay the server announced. */
  #replayLeft = 0;
  /** The id of the last message, to resume from when the page opens the stream again itself. */
  #lastId = '';

  /**
   * @param {string} namespace dotted name
   * @param {import('./event-names.js').EventNames} eventNames names to listen for, now and later
   * @param {{onMessage: Function, onState: Function, onGap: Function}} callbacks
   */
  constructor(namespace, eventNames, { onMessage, onState, onGap }) {
    this.namespace = namespace;
    const token = pageToken();
    this.url = subscribePath(namespace) + '?markReplay=true'
      + (token ? '&access_token=' + encodeURIComponent(token) : '');
    this.eventNames = eventNames;
    this.onMessage = onMessage;
    this.onState = onState;
    this.onGap = onGap;
    this.state = 'closed';
  }

  open() {
    this.close();
    const resumeFrom = this.#lastId ? '&lastEventId=' + encodeURIComponent(this.#lastId) : '';
    const source = new EventSource(this.url + resumeFrom);
    this.#source = source;
    this.#setState('connecting');
    source.onopen = () => this.#setState('live');
    source.onerror = () => {
      // readyState CONNECTING: the browser retries after the server's retry: delay. CLOSED: it gave up.
      this.#setState(source.readyState === EventSource.CLOSED ? 'failed' : 'reconnecting');
    };
    this.#listenToService(source);
    this.#listen('message');
    for (const name of this.eventNames.all()) this.#listen(name);
    this.#stopListeningForNames = this.eventNames.onAdd((name) => this.#listen(name));
  }

  #listenToService(source) {
    const replay = (event) => { this.#replayLeft = JSON.parse(event.data).count; };
    const gap = (event) => this.onGap({ ...JSON.parse(event.data), receivedAt: new Date() });
    source.addEventListener('sse-replay', replay);
    source.addEventListener('sse-gap', gap);
    this.#handlers.set('sse-replay', replay);
    this.#handlers.set('sse-gap', gap);
  }

  #listen(name) {
    if (!this.#source || this.#handlers.has(name)) return;
    const handler = (event) => {
      this.#lastId = event.lastEventId;
      const replayed = this.#replayLeft > 0;
      if (replayed) this.#replayLeft--;
      this.onMessage({ event: event.type, id: event.lastEventId, data: event.data, receivedAt: new Date(), replayed });
    };
    this.#source.addEventListener(name, handler);
    this.#handlers.set(name, handler);
  }

  #setState(state) {
    if (this.state === state) return;
    this.state = state;
    this.onState(state);
  }

  /** Closes the connection and drops every listener, so nothing of this stream stays reachable. */
  close() {
    if (this.#stopListeningForNames) this.#stopListeningForNames();
    this.#stopListeningForNames = null;
    if (this.#source) {
      for (const [name, handler] of this.#handlers) this.#source.removeEventListener(name, handler);
      this.#source.onopen = null;
      this.#source.onerror = null;
      this.#source.close();
    }
    this.#handlers.clear();
    this.#replayLeft = 0;
    this.#source = null;
    this.state = 'closed';
  }
}
