// Small formatting helpers: relative times ("3 minutes ago"), scope lists, DOM building.

const relative = new Intl.RelativeTimeFormat('en', { numeric: 'always' });
const absolute = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const UNITS = [
  ['year', 365 * 24 * 3600], ['month', 30 * 24 * 3600], ['week', 7 * 24 * 3600],
  ['day', 24 * 3600], ['hour', 3600], ['minute', 60],
];

// "3 minutes ago", "in 29 days", "just now"; `now` is injectable for a stable answer.
export function fromNow(iso, now = Date.now()) {
  const seconds = Math.round((Date.parse(iso) - now) / 1000);
  if (Math.abs(seconds) < 45) return 'just now';
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size) return relative.format(Math.round(seconds / size), unit);
  }
  return relative.format(Math.sign(seconds), 'minute');
}

// A <time> showing the relative time, with the exact one as its tooltip; `none` when null.
export function timeCell(iso, none) {
  if (!iso) return el('span', { class: 'muted' }, none);
  const node = el('time', { datetime: iso, title: absolute.format(new Date(iso)) }, fromNow(iso));
  return node;
}

// el('button', {type: 'button', class: 'x'}, 'text', child…): attributes set one by one, never
// as HTML, so names and scopes from the server cannot inject markup.
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

export function scopeChips(scopes) {
  const list = el('ul', { class: 'chips' });
  for (const scope of scopes) list.append(el('li', {}, scope));
  return list;
}

// Does a token with `held` scopes hold `scope`? `admin` holds every scope.
export function holds(held, scope) {
  return held.includes(scope) || held.includes('admin');
}
