// One EventSource per namespace: /subscribe/<segments>. Reports every message (unnamed and named ones,
// see event-names.js) and the connection state: connecting, live, reconnecting, or failed when the
// browser gave up (the server refused the stream, e.g. with a 400, so EventSource will not retry).

import { subscribePath } from './namespaces.js';
import { pageToken } from './url-state.js';

export class NamespaceStream {
  #source = null;
  #handlers = new Map();
  #stopListeningForNames = null;

  /**
   * @param {string} namespace dotted name
   * @param {import('./event-names.js').EventNames} eventNames names to listen for, now and later
   * @param {{onMessage: Function, onState: Function}} callbacks
   */
  constructor(namespace, eventNames, { onMessage, onState }) {
    this.namespace = namespace;
    const token = pageToken();
    this.url = subscribePath(namespace) + (token ? '?access_token=' + encodeURIComponent(token) : '');
    this.eventNames = eventNames;
    this.onMessage = onMessage;
    this.onState = onState;
    this.state = 'closed';
  }

  open() {
    this.close();
    const source = new EventSource(this.url);
    this.#source = source;
    this.#setState('connecting');
    source.onopen = () => this.#setState('live');
    source.onerror = () => {
      // readyState CONNECTING: the browser retries after the server's retry: delay. CLOSED: it gave up.
      this.#setState(source.readyState === EventSource.CLOSED ? 'failed' : 'reconnecting');
    };
    this.#listen('message');
    for (const name of this.eventNames.all()) this.#listen(name);
    this.#stopListeningForNames = this.eventNames.onAdd((name) => this.#listen(name));
  }

  #listen(name) {
    if (!this.#source || this.#handlers.has(name)) return;
    const handler = (event) => this.onMessage({
      event: event.type,
      id: event.lastEventId,
      data: event.data,
      receivedAt: new Date(),
    });
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
    this.#source = null;
    this.state = 'closed';
  }
}
