// The live console: wires the URL, the namespace streams and cards, the publish form and the node badge.

import { $, el } from './dom.js';
import { problemWith } from './namespaces.js';
import { readState, writeState } from './url-state.js';
import { EventNames } from './event-names.js';
import { NamespaceStream } from './stream.js';
import { NamespacePanel } from './panel.js';
import { setUpPublishForm } from './publish.js';
import { setUpNodeInfo } from './node-info.js';

const SUGGESTED = ['pets', 'pets.dogs', 'pets.cats', 'time', 'products'];

/** namespace -> {stream, panel}; the only place that holds them, so removing an entry frees both. */
const subscriptions = new Map();
const initial = readState();
const eventNames = new EventNames(initial.events);
const nodeInfo = setUpNodeInfo();
const publishForm = setUpPublishForm({
  beforeSend(name) {
    if (name && eventNames.add(name)) {
      renderEventNames();
      syncUrl();
    }
  },
});

function subscribe(namespace) {
  if (subscriptions.has(namespace)) return;
  const entry = {};
  entry.panel = new NamespacePanel(namespace, `/subscribe/${namespace.split('.').join('/')}`, {
    onRemove: () => {
      unsubscribe(namespace);
      syncUrl();
    },
    onRetry: () => entry.stream.open(),
    onPublishHere: () => publishForm.target(namespace),
  });
  entry.stream = new NamespaceStream(namespace, eventNames, {
    onMessage: (message) => entry.panel.add(message),
    onGap: (gap) => entry.panel.gap(gap),
    onState: (state) => {
      entry.panel.setState(state);
      renderSummary();
      if (state === 'live') nodeInfo.refresh();
    },
  });
  subscriptions.set(namespace, entry);
  $('#panels').append(entry.panel.element);
  if (!$('#pub-ns').value) $('#pub-ns').value = namespace;
  entry.stream.open();
  renderChrome();
}

function unsubscribe(namespace) {
  const entry = subscriptions.get(namespace);
  if (!entry) return;
  subscriptions.delete(namespace);
  entry.stream.close();
  entry.panel.destroy();
  renderChrome();
}

/** Makes the page show exactly `namespaces` (from the URL at start and on Back/Forward). */
function apply(namespaces) {
  const valid = [];
  const problems = [];
  for (const name of namespaces) {
    const problem = problemWith(name);
    if (problem) problems.push(problem);
    else valid.push(name);
  }
  for (const name of [...subscriptions.keys()]) {
    if (!valid.includes(name)) unsubscribe(name);
  }
  valid.forEach(subscribe);
  showNamespaceError(problems.length ? `Ignored from the address: ${problems.join('; ')}` : '');
  return problems.length === 0;
}

function syncUrl(options) {
  writeState({ namespaces: [...subscriptions.keys()], events: eventNames.extra() }, options);
}

function showNamespaceError(text) {
  const error = $('#ns-error');
  error.textContent = text;
  error.hidden = !text;
}

function renderChrome() {
  $('#empty').hidden = subscriptions.size > 0;
  const names = new Set([...subscriptions.keys(), ...SUGGESTED]);
  $('#ns-suggestions').replaceChildren(...[...names].map((name) => el('option', { value: name })));
  renderSummary();
}

function renderSummary() {
  const states = [...subscriptions.values()].map((entry) => entry.stream.state);
  const count = (state) => states.filter((s) => s === state).length;
  let state = 'idle';
  let text = 'No streams';
  if (states.length) {
    if (count('failed')) [state, text] = ['failed', `${count('failed')} of ${states.length} failed`];
    else if (count('reconnecting')) [state, text] = ['reconnecting', 'Reconnecting…'];
    else if (count('connecting')) [state, text] = ['connecting', 'Connecting…'];
    else [state, text] = ['live', `Live · ${states.length} stream${states.length === 1 ? '' : 's'}`];
  }
  $('#conn').dataset.state = state;
  $('#conn-text').textContent = text;
}

function renderEventNames() {
  const chip = (name, label = name) => el('li', { class: 'chip', dataset: { event: name } }, label);
  $('#event-names').replaceChildren(chip('message', 'message (unnamed)'), ...eventNames.all().map((name) => chip(name)));
  $('#event-suggestions').replaceChildren(...eventNames.all().map((name) => el('option', { value: name })));
}

function renderSuggestions() {
  $('#empty-suggestions').replaceChildren(...SUGGESTED.map((name) => el('button', {
    type: 'button', class: 'btn btn-suggestion',
    onclick: () => {
      subscribe(name);
      syncUrl();
    },
  }, `+ ${name}`)));
}

$('#ns-form').addEventListener('submit', (submit) => {
  submit.preventDefault();
  const input = $('#ns-input');
  const names = input.value.split(',').map((name) => name.trim()).filter(Boolean);
  const problem = names.length ? names.map(problemWith).find(Boolean) : problemWith('');
  if (problem) {
    showNamespaceError(problem);
    input.setAttribute('aria-invalid', 'true');
    return;
  }
  input.removeAttribute('aria-invalid');
  showNamespaceError('');
  names.forEach(subscribe);
  syncUrl();
  input.value = '';
});

$('#event-form').addEventListener('submit', (submit) => {
  submit.preventDefault();
  const input = $('#event-input');
  if (eventNames.add(input.value)) {
    renderEventNames();
    syncUrl();
  }
  input.value = '';
});

window.addEventListener('popstate', () => {
  const state = readState();
  state.events.forEach((name) => eventNames.add(name));
  renderEventNames();
  apply(state.namespaces);
});

// Streams are closed when the page goes away, so the node frees them at once rather than on timeout.
window.addEventListener('pagehide', () => subscriptions.forEach((entry) => entry.stream.close()));
window.addEventListener('pageshow', (page) => {
  if (page.persisted) subscriptions.forEach((entry) => entry.stream.open());
});

renderSuggestions();
renderEventNames();
if (!apply(initial.namespaces)) syncUrl({ replace: true });
renderChrome();
if (!subscriptions.size) $('#ns-input').focus();
