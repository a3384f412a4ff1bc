// The dashboard (plugins/dashboard) in headless Chromium against the real daemon and test lake.
//   FATHOM_BUILD_DIR=build node --test dashboard.test.js      (scripts/browser-test does this)
// Screenshots go to FATHOM_ARTIFACTS_DIR (default <build dir>/browser-artifacts).
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import { chromium } from 'playwright-core';
import { startDaemon } from './daemon.js';

const buildDir = resolve(process.env.FATHOM_BUILD_DIR ?? '../../build');
const artifacts = resolve(process.env.FATHOM_ARTIFACTS_DIR ?? join(buildDir, 'browser-artifacts'));
const chromiumPath = process.env.FATHOM_CHROMIUM ?? '/usr/bin/chromium';
const TOKEN_RE = /^fth_[0-9A-Za-z]{38}$/;

let daemon;
let browser;
let context;
let page;
let problems;  // console errors and CSP violations of the current page

async function api(method, path, token, body) {
  const headers = { Authorization: `Bearer ${token}` };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(daemon.url + path, {
    method, headers, body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

const admin = (method, path, body) => api(method, path, daemon.adminToken, body);

async function mint(name, scopes) {
  const r = await admin('POST', '/v1/tokens', { name, scopes });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body;
}

async function signIn(token = daemon.adminToken) {
  await page.goto(`${daemon.url}/settings/api-keys`);
  await page.getByLabel('Paste a token that holds tokens:manage').fill(token);
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.locator('#app').waitFor({ state: 'visible' });
}

const row = (tokenId) => page.locator(`tr[data-token-id="${tokenId}"]`);

before(async () => {
  daemon = await startDaemon(buildDir);
  browser = await chromium.launch({ executablePath: chromiumPath, headless: true });
});

after(async () => {
  await browser?.close();
  await daemon?.stop();
});

beforeEach(async () => {
  context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  page = await context.newPage();
  problems = [];
  page.on('console', (m) => {
    // The API's refusals (401, 409) are expected in some tests; anything else is a fault.
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) {
      problems.push(m.text());
    }
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
});

afterEach(async () => {
  await context.close();
  assert.deepEqual(problems, [], 'the page logged errors (a CSP violation shows up here)');
});

describe('the dashboard plugin over HTTP', () => {
  test('GET / redirects to the page', async () => {
    const r = await fetch(`${daemon.url}/`, { redirect: 'manual' });
    assert.equal(r.status, 302);
    assert.equal(r.headers.get('location'), '/settings/api-keys');
  });

  test('the page and its files carry the strict headers, an ETag and revalidate with 304',
    async () => {
      const page1 = await fetch(`${daemon.url}/settings/api-keys`);
      assert.equal(page1.status, 200);
      assert.equal(page1.headers.get('content-type'), 'text/html; charset=utf-8');
      assert.equal(page1.headers.get('content-security-policy'),
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; " +
        "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
      assert.equal(page1.headers.get('x-content-type-options'), 'nosniff');
      assert.equal(page1.headers.get('referrer-policy'), 'no-referrer');
      assert.equal(page1.headers.get('cache-control'), 'no-cache');
      const js = await fetch(`${daemon.url}/dashboard/assets/app.js`);
      assert.equal(js.status, 200);
      assert.equal(js.headers.get('content-type'), 'text/javascript; charset=utf-8');
      const etag = js.headers.get('etag');
      assert.match(etag, /^"[0-9a-f]{32}"$/);
      const again = await fetch(`${daemon.url}/dashboard/assets/app.js`,
        { headers: { 'If-None-Match': etag } });
      assert.equal(again.status, 304);
      assert.equal(again.headers.get('etag'), etag);
    });

  test('an unknown file is 404 JSON and a write is 405', async () => {
    const missing = await fetch(`${daemon.url}/dashboard/assets/nope.js`);
    assert.equal(missing.status, 404);
    assert.equal((await missing.json()).error, 'not_found');
    const post = await fetch(`${daemon.url}/settings/api-keys`, { method: 'POST', body: '{}' });
    assert.equal(post.status, 405);
    assert.equal(post.headers.get('allow'), 'GET, HEAD');
  });
});

describe('the API keys page', () => {
  test('asks for a token, then lists the keys; a wrong token is refused with its message',
    async () => {
      const reader = await mint('browser-list-reader', ['lake:read']);
      await page.goto(`${daemon.url}/`);
      assert.ok(page.url().endsWith('/settings/api-keys'));
      // The token field has focus: typing and Enter signs in, no mouse needed.
      await page.keyboard.type('fth_not-a-token');
      await page.keyboard.press('Enter');
      const notice = page.locator('#notice');
      await notice.waitFor({ state: 'visible' });
      const refused = await api('GET', '/v1/auth/me', 'fth_not-a-token');
      assert.equal(await notice.textContent(), `That token was refused: ${refused.body.message}`);

      await page.keyboard.type(daemon.adminToken);
      await page.keyboard.press('Enter');
      await page.locator('#app').waitFor({ state: 'visible' });
      assert.equal(await page.locator('#whoami').textContent(), 'bootstrap-admin (admin)');
      const readerRow = row(reader.token_id);
      await readerRow.waitFor();
      assert.match(await readerRow.textContent(), /browser-list-reader/);
      assert.equal(await readerRow.locator('td[data-label="Last used"]').textContent(), 'never');
      assert.equal(await readerRow.locator('td[data-label="Expires"]').textContent(), 'never');
      assert.equal(await readerRow.locator('td[data-label="Status"]').textContent(), 'active');
      assert.equal(await readerRow.locator('td[data-label="Created"]').textContent(), 'just now');
      // The token sits in this tab's sessionStorage only.
      assert.equal(await page.evaluate(() => sessionStorage.length), 1);
      assert.equal(await page.evaluate(() => localStorage.length), 0);

      // Revoked keys show under the Revoked filter.
      await admin('DELETE', `/v1/tokens/${reader.token_id}`);
      await page.getByLabel('Show').selectOption('revoked');
      await readerRow.locator('.status-revoked').waitFor();
      await page.getByLabel('Show').selectOption('active');
      await readerRow.waitFor({ state: 'detached' });

      await page.getByRole('button', { name: 'Forget token' }).click();
      await page.locator('#signin').waitFor({ state: 'visible' });
      assert.equal(await page.evaluate(() => sessionStorage.length), 0);
    });

  test('creates a key, shows it once, and copies it', async () => {
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: daemon.url });
    await signIn();
    await page.getByRole('button', { name: 'Create new key' }).click();
    const dialog = page.locator('#create-dialog');
    await dialog.getByLabel('Name').fill('browser-minted');
    await dialog.getByLabel('lake:write').check();
    await dialog.getByLabel('Expires').selectOption('604800');
    await dialog.getByRole('button', { name: 'Create key' }).click();

    const secret = page.locator('#secret-value');
    await page.locator('#secret-dialog').waitFor({ state: 'visible' });
    assert.match(await page.locator('#secret-dialog').textContent(), /You won't see it again/);
    const token = await secret.inputValue();
    assert.match(token, TOKEN_RE);
    const me = await api('GET', '/v1/auth/me', token);
    assert.equal(me.status, 200);
    assert.equal(me.body.name, 'browser-minted');
    assert.deepEqual(me.body.scopes, ['lake:read', 'lake:write']);
    assert.ok(me.body.expires_at);

    await page.getByRole('button', { name: 'Copy', exact: true }).click();
    await page.getByText('Copied.').waitFor();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), token);

    await page.getByRole('button', { name: 'Done' }).click();
    await page.locator('#secret-dialog').waitFor({ state: 'hidden' });
    assert.equal(await secret.inputValue(), '');
    assert.ok(!(await page.content()).includes(token), 'the key is still in the page');
    const listed = row(me.body.token_id);
    await listed.waitFor();
    assert.match(await listed.locator('td[data-label="Expires"]').textContent(), /^in (7 days|1 week)$/);
  });

  test('a scope the admin token lacks is disabled', async () => {
    const limited = await mint('browser-limited-admin', ['tokens:manage', 'lake:read']);
    await signIn(limited.token);
    await page.getByRole('button', { name: 'Create new key' }).click();
    const dialog = page.locator('#create-dialog');
    assert.equal(await dialog.getByLabel('lake:read').isDisabled(), false);
    assert.equal(await dialog.getByLabel('lake:write').isDisabled(), true);
    assert.equal(await dialog.getByLabel('admin').isDisabled(), true);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    await admin('DELETE', `/v1/tokens/${limited.token_id}`);
  });

  test('an API error is shown as its message', async () => {
    await signIn();
    await page.getByRole('button', { name: 'Create new key' }).click();
    const dialog = page.locator('#create-dialog');
    await dialog.getByLabel('Name').fill('browser-bad-scope');
    await dialog.getByLabel(/Other scopes/).fill('Not-A-Scope!');
    await dialog.getByRole('button', { name: 'Create key' }).click();
    const error = dialog.locator('.error');
    await error.waitFor({ state: 'visible' });
    const expected = await admin('POST', '/v1/tokens',
      { name: 'browser-bad-scope', scopes: ['lake:read', 'Not-A-Scope!'] });
    assert.equal(expected.status, 400);
    assert.equal(await error.textContent(), expected.body.message);
  });

  test('revokes after confirmation; the key then gets 401', async () => {
    const victim = await mint('browser-victim', ['lake:read']);
    await signIn();
    await row(victim.token_id).getByRole('button', { name: 'Revoke browser-victim' }).click();
    const dialog = page.locator('#revoke-dialog');
    await dialog.waitFor({ state: 'visible' });
    // Cancel has the focus: Enter right away does not revoke.
    assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Cancel');
    await page.keyboard.press('Enter');
    await dialog.waitFor({ state: 'hidden' });
    assert.equal((await api('GET', '/v1/auth/me', victim.token)).status, 200);

    await row(victim.token_id).getByRole('button', { name: 'Revoke browser-victim' }).click();
    await dialog.getByRole('button', { name: 'Revoke', exact: true }).click();
    await dialog.waitFor({ state: 'hidden' });
    await row(victim.token_id).waitFor({ state: 'detached' });
    assert.equal((await api('GET', '/v1/auth/me', victim.token)).status, 401);
  });

  test('revoking the last admin token is refused and explained', async () => {
    const tokens = (await admin('GET', '/v1/tokens')).body.tokens;
    const admins = tokens.filter((t) => t.scopes.includes('admin'));
    assert.deepEqual(admins.map((t) => t.name), ['bootstrap-admin']);
    await signIn();
    const me = (await admin('GET', '/v1/auth/me')).body;
    await row(me.token_id).getByRole('button', { name: 'Revoke bootstrap-admin' }).click();
    const dialog = page.locator('#revoke-dialog');
    await dialog.getByRole('button', { name: 'Revoke', exact: true }).click();
    const error = dialog.locator('.error');
    await error.waitFor({ state: 'visible' });
    assert.match(await error.textContent(), /last lasting admin key/);
    assert.match(await error.textContent(), /Create another key with the\s+admin scope and no expiry first/);
    assert.equal(await dialog.getByRole('button', { name: 'Revoke', exact: true }).count(), 0);
    assert.equal((await admin('GET', '/v1/auth/me')).status, 200);
  });

  test('rotates a key with a grace period and shows the new one', async () => {
    const old = await mint('browser-rotating', ['lake:read']);
    await signIn();
    await row(old.token_id).getByRole('button', { name: 'Rotate browser-rotating' }).click();
    const dialog = page.locator('#rotate-dialog');
    await dialog.getByLabel('The old key').selectOption('3600');
    await dialog.getByRole('button', { name: 'Rotate' }).click();
    await page.locator('#secret-dialog').waitFor({ state: 'visible' });
    const fresh = await page.locator('#secret-value').inputValue();
    assert.match(fresh, TOKEN_RE);
    assert.match(await page.locator('#secret-note').textContent(), /The old key stops working in (1 hour|60 minutes)/);
    const me = await api('GET', '/v1/auth/me', fresh);
    assert.equal(me.status, 200);
    assert.equal(me.body.rotated_from, old.token_id);
    const was = (await admin('GET', `/v1/tokens/${old.token_id}`)).body;
    assert.equal(was.rotated_to, me.body.token_id);
    assert.ok(was.expires_at, 'the old key got the grace period as its expiry');
    assert.equal((await api('GET', '/v1/auth/me', old.token)).status, 200, 'still in its grace');
    await page.getByRole('button', { name: 'Done' }).click();
    await row(me.body.token_id).waitFor();
  });

  test('pairs an agent: the command is shown, the code listed, then cancelled', async () => {
    await signIn();
    const section = page.locator('#agents');
    await section.getByLabel('Agent name').fill('browser-agent');
    await section.getByLabel('lake:write').check();
    await section.getByRole('button', { name: 'Create pair code' }).click();
    const command = page.locator('#pair-command');
    await page.locator('#pair-result').waitFor({ state: 'visible' });
    assert.match(await command.inputValue(), /^npx fathom-agent init --pair-code pair_[0-9A-Za-z]{24}$/);
    const pending = (await admin('GET', '/v1/pair-codes')).body.pair_codes;
    assert.equal(pending.length, 1);
    assert.equal(pending[0].name, 'browser-agent');
    assert.deepEqual(pending[0].scopes, ['lake:read', 'lake:write']);
    const item = page.locator(`li[data-pair-code-id="${pending[0].pair_code_id}"]`);
    await item.waitFor();
    await item.getByRole('button', { name: 'Cancel pair code for browser-agent' }).click();
    await item.waitFor({ state: 'detached' });
    assert.deepEqual((await admin('GET', '/v1/pair-codes')).body.pair_codes, []);
    await page.locator('#pair-empty').waitFor({ state: 'visible' });
  });

  test("shows a key's audit history", async () => {
    const used = await mint('browser-audited', ['lake:read']);
    assert.equal((await api('GET', '/v1/auth/me', used.token)).status, 200);
    // Request events are queued and durable within a second: wait until the API has it.
    const deadline = Date.now() + 10_000;
    for (;;) {
      const events = (await admin('GET', `/v1/audit?token_id=${used.token_id}`)).body.events;
      if (events.some((e) => e.kind === 'request')) break;
      assert.ok(Date.now() < deadline, 'the request event never reached the audit');
      await new Promise((r) => setTimeout(r, 50));
    }
    await signIn();
    await row(used.token_id).getByRole('button', { name: 'History of browser-audited' }).click();
    const dialog = page.locator('#audit-dialog');
    await dialog.locator('#audit-list tr').first().waitFor();
    const text = await dialog.locator('#audit-list').textContent();
    assert.match(text, /token\.created/);
    assert.match(text, /GET \/v1\/auth\/me/);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
  });

  test('screenshots at 375 and 1440 pixels, light and dark; nothing overflows', async () => {
    mkdirSync(artifacts, { recursive: true });
    await signIn();
    await row((await admin('GET', '/v1/auth/me')).body.token_id).waitFor();
    for (const width of [375, 1440]) {
      for (const colorScheme of ['light', 'dark']) {
        await page.setViewportSize({ width, height: width === 375 ? 812 : 900 });
        await page.emulateMedia({ colorScheme });
        const overflow = await page.evaluate(() =>
          document.documentElement.scrollWidth - document.documentElement.clientWidth);
        assert.equal(overflow, 0, `the page scrolls sideways at ${width} px`);
        await page.screenshot({ path: join(artifacts, `api-keys-${width}-${colorScheme}.png`), fullPage: true });
      }
    }
    await page.getByRole('button', { name: 'Create new key' }).click();
    await page.setViewportSize({ width: 375, height: 812 });
    await page.screenshot({ path: join(artifacts, 'create-key-375-dark.png') });
  });
});
