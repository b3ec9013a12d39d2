// The namespace rules of the server (PRODUCT.md), checked here too so mistakes are explained at once.

const SEGMENT = /^[A-Za-z0-9_-]+$/;
export const MAX_SEGMENTS = 16;
export const MAX_LENGTH = 256;

/** Null when `name` is a valid, non-root namespace; otherwise why not. */
export function problemWith(name) {
  if (!name) return 'Enter a namespace, e.g. pets or pets.dogs';
  if (name.length > MAX_LENGTH) return `A namespace has at most ${MAX_LENGTH} characters`;
  const segments = name.split('.');
  if (segments.length > MAX_SEGMENTS) return `A namespace has at most ${MAX_SEGMENTS} segments`;
  for (const segment of segments) {
    if (!segment) return `"${name}" has an empty segment: use dots only between names`;
    if (!SEGMENT.test(segment)) return `"${segment}" may only hold letters, digits, "_" and "-"`;
  }
  return null;
}

/** pets.dogs -> /subscribe/pets/dogs (path segments are the namespace's segments). */
export const subscribePath = (name) => '/subscribe/' + name.split('.').map(encodeURIComponent).join('/');

/** pets.dogs + new-dog -> /publish/pets/dogs?event=new-dog */
export function publishPath(name, event) {
  const path = '/publish/' + name.split('.').map(encodeURIComponent).join('/');
  return event ? `${path}?event=${encodeURIComponent(event)}` : path;
}
