// The JSON API of fathom-auth (docs/api.md), called with the admin token from this tab's
// sessionStorage. Every failure becomes an ApiError carrying the server's own message.

const TOKEN_KEY = 'fathom-auth.admin-token';

export function storedToken() {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function storeToken(token) {
  sessionStorage.setItem(TOKEN_KEY, token);
}

export function forgetToken() {
  sessionStorage.removeItem(TOKEN_KEY);
}

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

async function call(method, path, body) {
  const headers = { Authorization: `Bearer ${storedToken() ?? ''}` };
  const init = { method, headers, cache: 'no-store', credentials: 'omit' };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch (e) {
    throw new ApiError(0, 'network', `Could not reach fathom-auth (${e.message}). Is it running?`);
  }
  const text = await response.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    // Not JSON: a proxy in between, or the lake. Reported below with the status.
  }
  if (!response.ok) {
    const message = json && typeof json.message === 'string' ? json.message
      : `The server answered ${response.status} ${response.statusText}.`;
    throw new ApiError(response.status, json?.error ?? `http_${response.status}`, message);
  }
  return json;
}

const q = encodeURIComponent;

export const api = {
  me: () => call('GET', '/v1/auth/me'),
  listTokens: (status) => call('GET', `/v1/tokens?status=${q(status)}`).then((r) => r.tokens),
  mint: (fields) => call('POST', '/v1/tokens', fields),
  revoke: (id) => call('DELETE', `/v1/tokens/${q(id)}`),
  rotate: (id, graceSeconds) =>
    call('POST', `/v1/tokens/${q(id)}/rotate`,
      graceSeconds === null ? {} : { grace_seconds: graceSeconds }),
  listPairCodes: () => call('GET', '/v1/pair-codes').then((r) => r.pair_codes),
  createPairCode: (fields) => call('POST', '/v1/pair-codes', fields),
  cancelPairCode: (id) => call('DELETE', `/v1/pair-codes/${q(id)}`),
  audit: (tokenId, cursor) => {
    let path = `/v1/audit?token_id=${q(tokenId)}&limit=50`;
    if (cursor) path += `&cursor=${q(cursor)}`;
    return call('GET', path);
  },
};
