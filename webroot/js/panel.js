// The card of one namespace: its state, its counter and its newest messages. Rendering is batched to one
// DOM update per animation frame and both the queue and the list are capped, so a feed of thousands of
// messages a second costs a bounded amount of work and memory and never freezes the page.

import { el, hueOf, clockTime } from './dom.js';

export const MAX_MESSAGES = 200;

const STATE_TEXT = {
  connecting: 'Connecting',
  live: 'Live',
  reconnecting: 'Reconnecting',
  failed: 'Failed',
  closed: 'Closed',
};

export class NamespacePanel {
  #pending = [];
  #frame = 0;
  #timer = 0;
  #received = 0;

  constructor(namespace, url, { onRemove, onRetry, onPublishHere }) {
    this.namespace = namespace;
    this.stateEl = el('span', { class: 'pill', 'data-state': 'connecting' }, STATE_TEXT.connecting);
    this.countEl = el('span', { class: 'count', title: 'Messages received' }, '0 messages');
    this.retryEl = el('button', { type: 'button', class: 'btn btn-link btn-retry', hidden: true, onclick: onRetry }, 'Retry');
    this.list = el('ol', { class: 'messages', 'aria-label': `Messages of ${namespace}, newest first` });
    this.emptyEl = el('li', { class: 'waiting' }, 'Waiting for the first message…');
    this.list.append(this.emptyEl);
    this.element = el('article', { class: 'panel', dataset: { ns: namespace, state: 'connecting' } },
      el('header', { class: 'panel-head' },
        el('div', { class: 'panel-row' },
          el('h2', { class: 'panel-name' }, namespace),
          this.stateEl,
          el('button', {
            type: 'button', class: 'btn btn-icon', 'data-remove': namespace,
            'aria-label': `Unsubscribe from ${namespace}`, title: `Unsubscribe from ${namespace}`, onclick: onRemove,
          }, '×')),
        el('div', { class: 'panel-row panel-row-sub' },
          el('code', { class: 'panel-url' }, url),
          this.countEl,
          this.retryEl,
          el('button', { type: 'button', class: 'btn btn-link', title: `Publish to ${namespace}`, onclick: onPublishHere }, 'Publish here'),
          el('button', { type: 'button', class: 'btn btn-link', onclick: () => this.clear() }, 'Clear'))),
      this.list);
  }

  setState(state) {
    this.element.dataset.state = state;
    this.stateEl.dataset.state = state;
    this.stateEl.textContent = STATE_TEXT[state] || state;
    this.retryEl.hidden = state !== 'failed';
  }

  /** History could not close a gap: the list says so where it happened. */
  gap({ reason, namespaces, receivedAt }) {
    this.#pending.push({ gap: true, reason, namespaces, receivedAt });
    this.#schedule();
  }

  add(message) {
    this.#received++;
    this.#pending.push(message);
    if (this.#pending.length > MAX_MESSAGES) this.#pending.splice(0, this.#pending.length - MAX_MESSAGES);
    this.#schedule();
  }

  #schedule() {
    if (this.#frame || this.#timer) return;
    // Hidden tabs get no animation frames; a slow timer keeps the (capped) queue moving there.
    if (document.hidden) this.#timer = setTimeout(() => this.#flush(), 500);
    else this.#frame = requestAnimationFrame(() => this.#flush());
  }

  #flush() {
    this.#frame = 0;
    this.#timer = 0;
    if (!this.element.isConnected) return;
    const batch = this.#pending;
    this.#pending = [];
    if (batch.length) {
      this.emptyEl.remove();
      const fragment = document.createDocumentFragment();
      for (let i = batch.length - 1; i >= 0; i--) fragment.append(this.#render(batch[i]));
      this.list.prepend(fragment);
      while (this.list.childElementCount > MAX_MESSAGES) this.list.lastElementChild.remove();
    }
    this.countEl.textContent = `${this.#received.toLocaleString()} message${this.#received === 1 ? '' : 's'}`;
  }

  #render(item) {
    if (item.gap) return this.#renderGap(item);
    const { event, id, data, receivedAt, replayed } = item;
    const badge = el('span', { class: 'event' + (event === 'message' ? ' event-default' : '') }, event);
    badge.style.setProperty('--hue', hueOf(event));
    return el('li', { class: 'msg' + (replayed ? ' msg-replayed' : ''), dataset: { event } },
      el('div', { class: 'msg-meta' },
        badge,
        replayed ? el('span', { class: 'replayed', title: 'Missed while disconnected, sent from history' }, 'replayed') : null,
        id ? el('span', { class: 'msg-id', title: `id: ${id}` }, id) : null,
        el('time', { datetime: receivedAt.toISOString(), title: receivedAt.toString() }, clockTime(receivedAt))),
      el('pre', { class: 'msg-data' }, data));
  }

  #renderGap({ reason, namespaces, receivedAt }) {
    const why = reason === 'expired' ? 'history no longer held them' : 'the server could not place the last id seen';
    return el('li', { class: 'gap', role: 'status' },
      el('div', { class: 'msg-meta' },
        el('span', { class: 'gap-label' }, 'gap'),
        el('time', { datetime: receivedAt.toISOString() }, clockTime(receivedAt))),
      el('p', { class: 'gap-text' }, `Some messages of ${namespaces.join(', ') || 'this stream'} were missed: ${why}.`));
  }

  clear() {
    this.#pending = [];
    this.list.replaceChildren(this.emptyEl);
  }

  /** Stops rendering and takes the card out of the page; nothing keeps a reference to its nodes. */
  destroy() {
    if (this.#frame) cancelAnimationFrame(this.#frame);
    if (this.#timer) clearTimeout(this.#timer);
    this.#frame = 0;
    this.#timer = 0;
    this.#pending = [];
    this.element.remove();
    this.list.replaceChildren();
  }
}
