// The scope checkboxes of the create-key and pair-code forms. A scope the signed-in token does
// not hold is disabled: the server refuses to grant it (no escalation).
import { el, holds } from './format.js';

const KNOWN_SCOPES = [
  ['lake:read', 'read the lake'],
  ['lake:write', 'write to the lake'],
  ['audit:read', 'read the audit trail'],
  ['tokens:manage', 'manage keys and pair codes'],
  ['admin', 'every scope'],
];

export function renderScopeBoxes(fieldset, heldScopes, prefix) {
  for (const old of fieldset.querySelectorAll('.scope')) old.remove();
  for (const [scope, what] of KNOWN_SCOPES) {
    const id = `${prefix}-${scope.replace(':', '-')}`;
    const allowed = holds(heldScopes, scope);
    const box = el('input', {
      type: 'checkbox', id, value: scope, disabled: !allowed, checked: scope === 'lake:read' && allowed,
    });
    const label = el('label', { for: id }, el('code', {}, scope), ` ${what}`);
    if (!allowed) label.append(el('span', { class: 'muted' }, ' (your token lacks it)'));
    fieldset.append(el('div', { class: 'scope' }, box, label));
  }
}

export function checkedScopes(fieldset) {
  return [...fieldset.querySelectorAll('input[type=checkbox]:checked')].map((b) => b.value);
}
