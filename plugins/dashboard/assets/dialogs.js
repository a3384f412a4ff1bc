// <dialog> helpers: showModal() traps focus and Escape closes; buttons marked data-close close
// too. The secret dialog shows a new key once, with a Copy button, and forgets it when closed.

export function setupDialogs() {
  for (const dialog of document.querySelectorAll('dialog')) {
    for (const button of dialog.querySelectorAll('[data-close]')) {
      button.addEventListener('click', () => dialog.close());
    }
  }
}

// The dialog's error area (its first .error): shows `message`, or hides it for null.
export function dialogError(dialog, message) {
  const area = dialog.querySelector('.error');
  area.textContent = message ?? '';
  area.hidden = message === null;
}

// Copies `text`; without clipboard access (no permission, plain http on another host) selects
// it in `input` so that Ctrl+C does it. Says which in `status`.
export async function copyText(text, input, status) {
  try {
    await navigator.clipboard.writeText(text);
    status.textContent = 'Copied.';
  } catch {
    input.focus();
    input.select();
    status.textContent = 'Selected: press Ctrl+C (⌘C on a Mac) to copy.';
  }
}

const secretDialog = () => document.getElementById('secret-dialog');

export function setupSecretDialog() {
  const dialog = secretDialog();
  const input = document.getElementById('secret-value');
  const status = document.getElementById('secret-copy-status');
  document.getElementById('secret-copy').addEventListener('click', () =>
    copyText(input.value, input, status));
  // Once closed, the key is gone from the page: it cannot be shown again.
  dialog.addEventListener('close', () => {
    input.value = '';
    status.textContent = '';
  });
}

// Shows a freshly minted key. `title` names what happened; `note` is an extra line or null.
export function showSecret(token, title, note) {
  const dialog = secretDialog();
  document.getElementById('secret-title').textContent = title;
  document.getElementById('secret-value').value = token;
  document.getElementById('secret-copy-status').textContent = '';
  const noteNode = document.getElementById('secret-note');
  noteNode.textContent = note ?? '';
  noteNode.hidden = !note;
  dialog.showModal();
  document.getElementById('secret-value').select();
}
