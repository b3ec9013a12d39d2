// Who may see this console's data is the node's decision (loopback, --admin-remote, or an admin JWT); this page
// only carries a token and, when refused, says what is needed. A token given in the address (?access_token=) is
// moved into this tab's session storage and out of the address bar, so it does not stay in the history or in a
// screenshot; a token can also be pasted into the form.

import { $ } from '/js/dom.js';

const KEY = 'sse-admin-token';

export function takeTokenFromAddress() {
  const url = new URL(location.href);
  const token = url.searchParams.get('access_token');
  if (token !== null) {
    sessionStorage.setItem(KEY, token);
    url.searchParams.delete('access_token');
    history.replaceState(null, '', url);
  }
}

export function token() {
  return sessionStorage.getItem(KEY) || '';
}

/** Shows the refusal and what would get the console in; `retry` is called with a new token. */
export function showRefusal(answer, retry) {
  const panel = $('#access');
  const hasToken = Boolean(token());
  $('#access-error').textContent = `${answer.status}: ${answer.error}`;
  let help;
  if (answer.status === 400) {
    help = 'Change the namespace filter: it is not a list of namespaces.';
  } else if (answer.status === 403 && !hasToken && answer.error.includes('--admin-remote')) {
    help = 'This node shows client addresses and user agents to its own machine only. Open the console there'
      + ' (through an SSH tunnel, say), start the nodes with --admin-remote true, or start them with'
      + ' --admin-jwt-secret and paste an admin token below.';
  } else {
    help = 'Paste a JWT signed with the nodes\' --admin-jwt-secret (HS256) whose "admin" claim is true;'
      + ' it is kept in this tab only. The console ends when the token expires.';
  }
  $('#access-help').textContent = help;
  $('#access-form').hidden = answer.status === 400;
  panel.hidden = false;
  $('#access-form').onsubmit = (event) => {
    event.preventDefault();
    const value = $('#access-token').value.trim();
    if (!value) return;
    sessionStorage.setItem(KEY, value);
    $('#access-token').value = '';
    panel.hidden = true;
    retry();
  };
}

export function hideRefusal() {
  $('#access').hidden = true;
}
