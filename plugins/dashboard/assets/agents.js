// The Agent section: pair codes. A code is shown once, inside the command the agent runs;
// pending codes are listed (without their code) and can be cancelled.
import { api } from './api.js';
import { copyText } from './dialogs.js';
import { el, fromNow, scopeChips, timeCell } from './format.js';
import { checkedScopes, renderScopeBoxes } from './scopes.js';

let session = null;

export function setupAgents(context) {
  session = context;
  document.getElementById('pair-form').addEventListener('submit', submitPairCode);
  const command = document.getElementById('pair-command');
  document.getElementById('pair-copy').addEventListener('click', () =>
    copyText(command.value, command, document.getElementById('pair-copy-status')));
}

export function resetAgents() {
  document.getElementById('pair-form').reset();
  renderScopeBoxes(document.getElementById('pair-scopes'), session.me.scopes, 'pair');
  hideResult();
}

function hideResult() {
  document.getElementById('pair-command').value = '';
  document.getElementById('pair-copy-status').textContent = '';
  document.getElementById('pair-result').hidden = true;
}

async function submitPairCode(event) {
  event.preventDefault();
  hideResult();
  const fields = {
    name: document.getElementById('pair-name').value.trim(),
    scopes: checkedScopes(document.getElementById('pair-scopes')),
    ttl_seconds: Number(document.getElementById('pair-ttl').value),
  };
  if (fields.scopes.length === 0) {
    session.notice('Choose at least one scope for the agent.');
    return;
  }
  const issued = await session.guard(() => api.createPairCode(fields));
  if (!issued) return;
  session.notice(null);
  document.getElementById('pair-command').value = `npx fathom-agent init --pair-code ${issued.code}`;
  document.getElementById('pair-expiry').textContent =
    `For “${issued.name}”; the code expires ${fromNow(issued.expires_at)}.`;
  document.getElementById('pair-result').hidden = false;
  document.getElementById('pair-command').select();
  await refreshPairCodes();
}

export async function refreshPairCodes() {
  const codes = await session.guard(() => api.listPairCodes());
  if (!codes) return;
  document.getElementById('pair-list').replaceChildren(...codes.map(pairCodeItem));
  document.getElementById('pair-empty').hidden = codes.length > 0;
}

function pairCodeItem(code) {
  const cancel = el('button', { type: 'button', 'aria-label': `Cancel pair code for ${code.name}` },
    'Cancel');
  cancel.addEventListener('click', async () => {
    const done = await session.guard(() => api.cancelPairCode(code.pair_code_id));
    if (done) await refreshPairCodes();
  });
  return el('li', { class: 'card', 'data-pair-code-id': code.pair_code_id },
    el('div', {}, el('span', { class: 'name' }, code.name), ' ',
      el('span', { class: 'muted mono' }, code.pair_code_id)),
    scopeChips(code.scopes),
    el('div', { class: 'muted' }, 'expires ', timeCell(code.expires_at)),
    cancel);
}
