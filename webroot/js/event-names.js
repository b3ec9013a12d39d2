// The event names the page listens for. EventSource only dispatches a named event ("event: new-dog") to
// listeners registered for that exact name; there is no wildcard. The wire format stays as it is, so the
// page keeps a shared, growing set: unnamed messages, the demo's names, every name published from this
// page (registered before the POST, so its own message is never missed) and names the user adds.

// The demo's names: the pets feed's, and the products table's (./run.sh --postgres).
export const DEFAULT_EVENT_NAMES = ['new-dog', 'new-cat', 'product-insert', 'product-update', 'product-delete'];
const VALID = /^[^\r\n\0]{1,128}$/;

export class EventNames {
  #names = new Set();
  #listeners = new Set();

  constructor(initial = []) {
    for (const name of [...DEFAULT_EVENT_NAMES, ...initial]) this.add(name);
  }

  /** Adds a name; true when it is new. Listeners (the open streams) start listening for it at once. */
  add(name) {
    const trimmed = (name || '').trim();
    if (!VALID.test(trimmed) || trimmed === 'message' || this.#names.has(trimmed)) return false;
    this.#names.add(trimmed);
    for (const listener of this.#listeners) listener(trimmed);
    return true;
  }

  has(name) {
    return this.#names.has(name);
  }

  /** The names beyond the defaults: what the URL carries. */
  extra() {
    return [...this.#names].filter((name) => !DEFAULT_EVENT_NAMES.includes(name));
  }

  all() {
    return [...this.#names];
  }

  /** Calls `listener(name)` for each name added later; returns the function that stops it. */
  onAdd(listener) {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
