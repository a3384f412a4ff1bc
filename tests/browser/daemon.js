// The real fathom-auth daemon and the test lake from a build folder, each in a fresh temporary
// folder with ports chosen at run time, as tests/support/daemon_process.cpp does for the C++ tests.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync, openSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const START_TIMEOUT_MS = 30_000;

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function readText(path) {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

function tail(text, n = 4000) {
  return text.length <= n ? text : `...${text.slice(-n)}`;
}

async function waitFor(what, check, child, logPath) {
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    const result = await check();
    if (result) return result;
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${what} ended (${child.exitCode ?? child.signalCode}): ${tail(readText(logPath))}`);
    }
    if (Date.now() > deadline) throw new Error(`${what} did not come up: ${tail(readText(logPath))}`);
    await sleep(20);
  }
}

function start(argv, dir, name) {
  const out = join(dir, `${name}.stdout`);
  const err = join(dir, `${name}.stderr`);
  const child = spawn(argv[0], argv.slice(1), {
    stdio: ['ignore', openSync(out, 'w'), openSync(err, 'w')],
  });
  return { child, out, err };
}

async function stop(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const ended = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await ended;
  clearTimeout(timer);
}

// Starts the lake and the daemon (plugins admin, dashboard, scope-rules) and reads the bootstrap
// admin token. Answers {url, adminToken, stop()}.
export async function startDaemon(buildDir) {
  for (const file of ['fathom-auth', 'fathom-lake', 'plugins/admin.so', 'plugins/dashboard.so',
    'plugins/scope-rules.so']) {
    if (!existsSync(join(buildDir, file))) throw new Error(`${join(buildDir, file)} is not built`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'fathom-browser-'));
  const lake = start([join(buildDir, 'fathom-lake'), '--listen', '127.0.0.1:0', '--quiet'], dir, 'lake');
  const lakePort = await waitFor('fathom-lake', () => {
    const m = /listening 127\.0\.0\.1:(\d+)\n/.exec(readText(lake.out));
    return m && Number(m[1]);
  }, lake.child, lake.err);

  let daemon = null;
  let port = 0;
  for (let attempt = 1; ; ++attempt) {
    port = await freePort();
    const config = {
      listen: [`127.0.0.1:${port}`],
      workers: 1,
      upstream: { url: `http://127.0.0.1:${lakePort}` },
      state_dir: join(dir, 'state'),
      plugin_dir: join(buildDir, 'plugins'),
      plugins: [{ name: 'admin' }, { name: 'dashboard' }, { name: 'scope-rules' }],
      // The tests present bad tokens on purpose; the limiter is tested elsewhere.
      limits: { auth_failures_per_minute: 100000, auth_failure_burst: 100000 },
      // The default metrics port is one per host: a daemon already running there would stop
      // this one from starting.
      metrics: { listen: null },
      log: { level: 'info' },
    };
    writeFileSync(join(dir, 'config.json'), `${JSON.stringify(config, null, 2)}\n`);
    daemon = start([join(buildDir, 'fathom-auth'), 'serve', '--config', join(dir, 'config.json')],
      dir, `daemon-${attempt}`);
    try {
      await waitFor('fathom-auth', async () => {
        try {
          return (await fetch(`http://127.0.0.1:${port}/healthz`)).status === 200;
        } catch {
          return false;
        }
      }, daemon.child, daemon.err);
      break;
    } catch (e) {
      await stop(daemon.child);
      // Only a port taken in the meantime is worth another try.
      if (attempt >= 4 || !/in use|EADDRINUSE/.test(e.message)) {
        await stop(lake.child);
        throw e;
      }
    }
  }

  const tokenPath = join(dir, 'state', 'bootstrap-token');
  const adminToken = await waitFor('the bootstrap token', () => {
    const text = readText(tokenPath);
    return text.includes('\n') ? text.slice(0, text.indexOf('\n')) : null;
  }, daemon.child, daemon.err);

  return {
    url: `http://127.0.0.1:${port}`,
    adminToken,
    log: () => readText(daemon.err),
    async stop() {
      await stop(daemon.child);
      await stop(lake.child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
