// The publish form: POST /publish/<segments>?event=<name> with the data as the body, and the server's
// answer ({"id": ...}) or error ({"error": ...}) shown under the form.

import { problemWith, publishPath } from './namespaces.js';
import { $ } from './dom.js';
import { pageToken } from './url-state.js';

/** Sends one message; resolves to {ok, text}. */
export async function publish(namespace, event, data) {
  let response;
  const headers = { 'Content-Type': 'text/plain; charset=utf-8' };
  const token = pageToken();
  if (token) headers.Authorization = `Bearer ${token}`;
  try {
    response = await fetch(publishPath(namespace, event), { method: 'POST', headers, body: data });
  } catch (error) {
    return { ok: false, text: `Could not reach the node: ${error.message}` };
  }
  const body = await response.text();
  let json = null;
  try { json = JSON.parse(body); } catch { /* not JSON: show the text */ }
  if (response.ok) return { ok: true, text: json && json.id ? `Published · id ${json.id}` : `Published (${response.status})` };
  return { ok: false, text: `${response.status} · ${(json && json.error) || body || response.statusText}` };
}

/**
 * Wires the form. `beforeSend(event)` runs before the POST so the page listens for a new event name
 * before its message can arrive.
 */
export function setUpPublishForm({ beforeSend }) {
  const form = $('#publish-form');
  const ns = $('#pub-ns');
  const event = $('#pub-event');
  const data = $('#pub-data');
  const send = $('#pub-send');
  const result = $('#pub-result');

  const show = (ok, text) => {
    result.hidden = false;
    result.dataset.ok = String(ok);
    result.textContent = text;
  };

  form.addEventListener('submit', async (submit) => {
    submit.preventDefault();
    const namespace = ns.value.trim();
    const problem = problemWith(namespace);
    if (problem) {
      show(false, problem);
      ns.focus();
      return;
    }
    const eventName = event.value.trim();
    beforeSend(eventName);
    send.disabled = true;
    send.textContent = 'Publishing…';
    try {
      const answer = await publish(namespace, eventName, data.value);
      show(answer.ok, answer.text);
    } finally {
      send.disabled = false;
      send.textContent = 'Publish';
    }
  });

  // Ctrl/Cmd+Enter in the data field publishes, as in chat and issue trackers.
  data.addEventListener('keydown', (key) => {
    if (key.key === 'Enter' && (key.ctrlKey || key.metaKey)) form.requestSubmit();
  });

  return {
    target(namespace) {
      ns.value = namespace;
      data.focus();
    },
  };
}
