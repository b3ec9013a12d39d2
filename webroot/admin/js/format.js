// Numbers, sizes, durations and times as the console shows them.

const integer = new Intl.NumberFormat('en', { maximumFractionDigits: 0 });
const oneDecimal = new Intl.NumberFormat('en', { maximumFractionDigits: 1 });

export function count(n) {
  return Number.isFinite(n) ? integer.format(n) : '–';
}

/** A rate per second: one decimal below 10, whole numbers above. */
export function rate(n) {
  if (!Number.isFinite(n)) return '–';
  return n < 10 ? oneDecimal.format(n) : integer.format(n);
}

/** A short axis label: 1.2k, 3.4M. */
export function compact(n) {
  if (!Number.isFinite(n)) return '–';
  if (n >= 1e6) return `${oneDecimal.format(n / 1e6)}M`;
  if (n >= 1e3) return `${oneDecimal.format(n / 1e3)}k`;
  return rate(n);
}

/** 1 namespace, 3 namespaces. */
export function plural(n, noun) {
  return `${count(n)} ${noun}${n === 1 ? '' : 's'}`;
}

export function bytes(n) {
  if (!Number.isFinite(n)) return '–';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? integer.format(value) : oneDecimal.format(value)} ${units[unit]}`;
}

/** 3d 4h, 2h 5m, 7m 12s, 40s. */
export function duration(seconds) {
  if (!Number.isFinite(seconds) || seconds < 0) return '–';
  const s = Math.floor(seconds);
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d) return `${d}d ${h}h`;
  if (h) return `${h}h ${m}m`;
  if (m) return `${m}m ${s % 60}s`;
  return `${s}s`;
}

export function clock(date) {
  return date.toLocaleTimeString('en-GB', { hour12: false });
}

/** "connected since": the time today, or the date and time for older streams. */
export function since(iso) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '–';
  const today = new Date();
  return date.toDateString() === today.toDateString()
    ? clock(date)
    : `${date.toLocaleDateString('en-CA')} ${clock(date)}`;
}

/** The root namespace has no name: the console shows it as (root). */
export function namespaceLabel(name) {
  return name === '' ? '(root)' : name;
}

/** The protocols as the console names them: h1 for HTTP/1.x, h2, and later ws. */
export function protocolLabel(alpn) {
  if (alpn && alpn.startsWith('http/1')) return 'h1';
  return alpn || '?';
}
