// The Settings → API Keys page: asks once for an admin token, then drives the sections.
// Any failure is shown as a message: the API's own sentence when there is one.
import { api, forgetToken, storedToken, storeToken } from './api.js';
import { setupDialogs, setupSecretDialog } from './dialogs.js';
import { refreshPairCodes, resetAgents, setupAgents } from './agents.js';
import { refreshTokens, setupTokens } from './tokens.js';

const $ = (id) => document.getElementById(id);

function notice(message) {
  $('notice').textContent = message ?? '';
  $('notice').hidden = !message;
}

function signedOut(message) {
  forgetToken();
  session.me = null;
  for (const dialog of document.querySelectorAll('dialog[open]')) dialog.close();
  $('app').hidden = true;
  $('session').hidden = true;
  $('signin').hidden = false;
  $('signin-form').reset();
  notice(message);
  $('admin-token').focus();
}

const session = {
  me: null,
  notice,
  signedOut,
  // A 401 means the token stopped working (revoked, expired): back to the sign-in form.
  signedOutBy(error) {
    if (error.status !== 401) return false;
    signedOut(`Your admin token no longer works: ${error.message}`);
    return true;
  },
  // Runs an API call; on failure shows its message and answers undefined.
  async guard(call) {
    try {
      return await call();
    } catch (e) {
      if (!session.signedOutBy(e)) notice(e.message);
      return undefined;
    }
  },
};

async function signIn() {
  try {
    session.me = await api.me();
  } catch (e) {
    signedOut(e.status === 401 ? `That token was refused: ${e.message}` : e.message);
    return;
  }
  notice(null);
  $('whoami').textContent = `${session.me.name} (${session.me.scopes.join(', ')})`;
  $('signin').hidden = true;
  $('session').hidden = false;
  $('app').hidden = false;
  resetAgents();
  await Promise.all([refreshTokens(), refreshPairCodes()]);
}

function start() {
  setupDialogs();
  setupSecretDialog();
  setupTokens(session);
  setupAgents(session);
  $('signin-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const token = $('admin-token').value.trim();
    if (!token) return;
    storeToken(token);
    $('admin-token').value = '';
    signIn();
  });
  $('forget').addEventListener('click', () => signedOut('Token forgotten.'));
  // Never a blank page: whatever breaks is said.
  window.addEventListener('error', (e) => notice(`The page hit an error: ${e.message}`));
  window.addEventListener('unhandledrejection', (e) =>
    notice(`The page hit an error: ${e.reason?.message ?? e.reason}`));
  if (storedToken()) signIn();
  else $('admin-token').focus();
}

start();
