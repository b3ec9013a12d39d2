// Which node serves this page and its streams: GET /health answers {"node": ..., "clusterMembers": [...]}.

import { $ } from './dom.js';

export async function fetchHealth() {
  const response = await fetch('/health', { cache: 'no-store', headers: { Accept: 'application/json' } });
  const json = await response.json();
  return { ok: response.ok, ...json };
}

export function setUpNodeInfo() {
  const box = $('#node');
  const name = $('#node-name');
  const members = $('#node-members');
  let inFlight = false;

  async function refresh() {
    if (inFlight) return;
    inFlight = true;
    try {
      const health = await fetchHealth();
      name.textContent = health.node || 'unknown';
      const count = Array.isArray(health.clusterMembers) ? health.clusterMembers.length : 0;
      members.textContent = count ? `· ${count} member${count === 1 ? '' : 's'}` : '';
      box.dataset.state = health.ok ? 'up' : 'down';
      box.title = `Served by node ${health.node} (${health.status}); node id ${health.nodeId}`;
    } catch {
      box.dataset.state = 'down';
      members.textContent = '· unreachable';
    } finally {
      inFlight = false;
    }
  }

  refresh();
  setInterval(refresh, 15000);
  return { refresh };
}
