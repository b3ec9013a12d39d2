// Keeps the address bar in step with what is on screen: /?ns=pets,time (&events=alert for extra names),
// so a view can be bookmarked or shared, and Back undoes the last change.

function splitList(params, key) {
  const names = [];
  for (const value of params.getAll(key)) {
    for (const part of value.split(',')) {
      const name = part.trim();
      if (name && !names.includes(name)) names.push(name);
    }
  }
  return names;
}

export function readState(location = window.location) {
  const params = new URLSearchParams(location.search);
  return { namespaces: splitList(params, 'ns'), events: splitList(params, 'events') };
}

/**
 * The token the page was opened with (/?access_token=JWT), for nodes that want one to subscribe or publish;
 * EventSource cannot send headers, so streams pass it on in their own query.
 */
export function pageToken(location = window.location) {
  return new URLSearchParams(location.search).get('access_token');
}

/** The URL for a state; commas stay readable (they are legal in a query, and names cannot hold them). */
export function urlFor(state, location = window.location) {
  const params = new URLSearchParams(location.search);
  params.delete('ns');
  params.delete('events');
  const parts = [];
  const rest = params.toString();
  if (rest) parts.push(rest);
  if (state.namespaces.length) parts.push('ns=' + state.namespaces.map(encodeURIComponent).join(','));
  if (state.events.length) parts.push('events=' + state.events.map(encodeURIComponent).join(','));
  return location.pathname + (parts.length ? '?' + parts.join('&') : '') + location.hash;
}

export function writeState(state, { replace = false } = {}) {
  const url = urlFor(state);
  if (url === window.location.pathname + window.location.search + window.location.hash) return;
  if (replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
}
