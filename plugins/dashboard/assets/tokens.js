// The API keys section: the list with its status filter, Create new key, Revoke, Rotate and each
// key's history.
import { api, storedToken, storeToken } from './api.js';
import { dialogError, showSecret } from './dialogs.js';
import { el, fromNow, scopeChips, timeCell } from './format.js';
import { checkedScopes, renderScopeBoxes } from './scopes.js';

const LAST_ADMIN_EXPLANATION =
  'This is the last lasting admin key (an admin key with no expiry, or one more than a day ' +
  'away). Revoking it would leave nobody able to manage every key. Create another key with the ' +
  'admin scope and no expiry first, then revoke this one.';

let session = null;  // {me, notice(message), signedOut(message)}
let selected = null;  // the token a dialog acts on

export function setupTokens(context) {
  session = context;
  document.getElementById('status-filter').addEventListener('change', () => refreshTokens());
  document.getElementById('create-key').addEventListener('click', openCreate);
  document.getElementById('create-form').addEventListener('submit', submitCreate);
  document.getElementById('revoke-confirm').addEventListener('click', confirmRevoke);
  document.getElementById('rotate-form').addEventListener('submit', submitRotate);
  document.getElementById('audit-more').addEventListener('click', () => loadAudit(false));
}

export async function refreshTokens() {
  const status = document.getElementById('status-filter').value;
  const tokens = await session.guard(() => api.listTokens(status));
  if (!tokens) return;
  const body = document.getElementById('token-list');
  body.replaceChildren(...tokens.map(tokenRow));
  document.getElementById('token-empty').hidden = tokens.length > 0;
  document.getElementById('token-table').hidden = tokens.length === 0;
}

function tokenRow(token) {
  const actions = el('div', { class: 'row-actions' });
  const label = token.name;
  const history = el('button', { type: 'button', 'aria-label': `History of ${label}` }, 'History');
  history.addEventListener('click', () => openAudit(token));
  actions.append(history);
  if (token.status === 'active') {
    const rotate = el('button', { type: 'button', 'aria-label': `Rotate ${label}` }, 'Rotate');
    rotate.addEventListener('click', () => openRotate(token));
    const revoke = el('button', { type: 'button', class: 'danger', 'aria-label': `Revoke ${label}` },
      'Revoke');
    revoke.addEventListener('click', () => openRevoke(token));
    actions.append(rotate, revoke);
  }
  const you = token.token_id === session.me.token_id ? el('span', { class: 'badge' }, 'this tab') : null;
  const cell = (name, ...content) => el('td', { 'data-label': name }, el('div', {}, ...content));
  const expiry = token.expires_at
    ? timeCell(token.expires_at) : el('span', { class: 'muted' }, 'never');
  return el('tr', { 'data-token-id': token.token_id },
    cell('Name', el('span', { class: 'name' }, token.name), ' ', you,
      el('div', { class: 'muted mono' }, token.token_id)),
    cell('Scopes', scopeChips(token.scopes)),
    cell('Status', el('span', { class: `status status-${token.status}` }, token.status)),
    cell('Created', timeCell(token.created_at)),
    cell('Last used', timeCell(token.last_used_at, 'never')),
    cell('Expires', expiry),
    el('td', {}, actions));
}

function openCreate() {
  const dialog = document.getElementById('create-dialog');
  document.getElementById('create-form').reset();
  renderScopeBoxes(document.getElementById('create-scopes'), session.me.scopes, 'create');
  dialogError(dialog, null);
  dialog.showModal();
}

async function submitCreate(event) {
  event.preventDefault();
  const dialog = document.getElementById('create-dialog');
  const extra = document.getElementById('create-extra').value.split(/\s+/).filter(Boolean);
  const fields = {
    name: document.getElementById('create-name').value.trim(),
    scopes: [...new Set([...checkedScopes(document.getElementById('create-scopes')), ...extra])],
  };
  const expiry = document.getElementById('create-expiry').value;
  if (expiry) fields.expires_in = Number(expiry);
  if (fields.scopes.length === 0) {
    dialogError(dialog, 'Choose at least one scope.');
    return;
  }
  try {
    const minted = await api.mint(fields);
    dialog.close();
    showSecret(minted.token, `Copy your new key “${minted.name}”`, null);
    await refreshTokens();
  } catch (e) {
    if (!session.signedOutBy(e)) dialogError(dialog, e.message);
  }
}

function openRevoke(token) {
  selected = token;
  const dialog = document.getElementById('revoke-dialog');
  document.getElementById('revoke-title').textContent = `Revoke “${token.name}”?`;
  document.getElementById('revoke-text').textContent =
    `Every client using ${token.token_id} is refused from its next request. This cannot be undone.`;
  document.getElementById('revoke-confirm').hidden = false;
  dialogError(dialog, null);
  dialog.showModal();
}

async function confirmRevoke() {
  const dialog = document.getElementById('revoke-dialog');
  try {
    await api.revoke(selected.token_id);
    dialog.close();
    if (selected.token_id === session.me.token_id) {
      session.signedOut('You revoked the key this tab was using. Paste another admin key.');
      return;
    }
    await refreshTokens();
  } catch (e) {
    if (session.signedOutBy(e)) return;
    if (e.status === 409) {
      dialogError(dialog, `${LAST_ADMIN_EXPLANATION} (The server said: ${e.message})`);
      document.getElementById('revoke-confirm').hidden = true;
    } else {
      dialogError(dialog, e.message);
    }
  }
}

function openRotate(token) {
  selected = token;
  const dialog = document.getElementById('rotate-dialog');
  document.getElementById('rotate-title').textContent = `Rotate “${token.name}”`;
  document.getElementById('rotate-text').textContent =
    'A new key with the same name and scopes is created. Give the old one time to be replaced ' +
    'where it is used.';
  document.getElementById('rotate-grace').value = '86400';
  dialogError(dialog, null);
  dialog.showModal();
}

async function submitRotate(event) {
  event.preventDefault();
  const dialog = document.getElementById('rotate-dialog');
  const choice = document.getElementById('rotate-grace').value;
  const grace = choice === 'keep' ? null : Number(choice);
  try {
    const fresh = await api.rotate(selected.token_id, grace);
    dialog.close();
    let note = grace === null ? 'The old key keeps working until you revoke it.'
      : grace === 0 ? 'The old key has stopped working.'
        : `The old key stops working ${fromNow(new Date(Date.now() + grace * 1000).toISOString())}.`;
    const ownKey = selected.token_id === session.me.token_id && storedToken();
    if (ownKey) {
      // This tab's own key: carry on with the new one so the page keeps working after the grace.
      storeToken(fresh.token);
      note += ' This tab now uses the new key.';
    }
    // Shown before anything else can fail: the new key exists now, and this is its only showing.
    showSecret(fresh.token, `Copy the new key for “${fresh.name}”`, note);
    if (ownKey) session.me = await api.me();
    await refreshTokens();
  } catch (e) {
    if (!session.signedOutBy(e)) dialogError(dialog, e.message);
  }
}

let auditToken = null;
let auditCursor = null;

function openAudit(token) {
  auditToken = token;
  auditCursor = null;
  const dialog = document.getElementById('audit-dialog');
  document.getElementById('audit-title').textContent = `History of “${token.name}”`;
  document.getElementById('audit-list').replaceChildren();
  dialog.showModal();
  loadAudit(true);
}

async function loadAudit(first) {
  const dialog = document.getElementById('audit-dialog');
  dialogError(dialog, null);
  try {
    const page = await api.audit(auditToken.token_id, first ? null : auditCursor);
    auditCursor = page.next_cursor;
    const list = document.getElementById('audit-list');
    list.append(...page.events.map(eventRow));
    document.getElementById('audit-more').hidden = !auditCursor;
    const empty = list.children.length === 0;
    document.getElementById('audit-empty').hidden = !empty;
    document.getElementById('audit-table').hidden = empty;
  } catch (e) {
    if (!session.signedOutBy(e)) dialogError(dialog, e.message);
  }
}

function eventRow(event) {
  const cell = (name, ...content) => el('td', { 'data-label': name }, el('div', {}, ...content));
  const request = event.method ? `${event.method} ${event.path ?? ''}` : '';
  return el('tr', {},
    cell('When', timeCell(event.time)),
    cell('Event', el('span', { class: 'mono' }, event.kind)),
    cell('Request', el('span', { class: 'mono' }, request)),
    cell('Status', event.status ?? ''),
    cell('Client', event.client ?? ''));
}
