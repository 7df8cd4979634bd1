// Team mode in two real windows: two desktops, each with its own profile (HOME, data dir) and its
// own D-Bus session, signed in as two agents of one team database (a throw-away PostgreSQL
// cluster from `kefu team-trial`) and sharing one WeChat (a standalone `kefu-emulator` on
// loopback). A claim in one window leaves the other's waiting list within a second; a reply in
// one shows in the other with who sent it; the other cannot answer the same customer; a note
// written in one shows in the other.
// Run through scripts/e2e.sh (it provides the display, the first driver and TAURI_DRIVER).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { REPO_ROOT, appBinary, byTestId, saveFailureArtifacts, startApp } from './lib/app-session.mjs';
import { claim, openCustomer, rpc, sentTo } from './lib/desktop.mjs';

const target = path.resolve(REPO_ROOT, process.env.CARGO_TARGET_DIR || 'target');
const tool = (name) => path.join(target, 'debug', name);

/** A free TCP port on loopback. */
async function freePort() {
  const server = net.createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function listening(port, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const up = await new Promise((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.end();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (up) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`nothing listens on ${port} after ${timeoutMs} ms`);
}

/**
 * Starts a helper process in its own process group; `match` resolves once its output matches
 * `ready` (null: at once). Its output is kept for the failure message.
 */
function startHelper(cmd, args, ready, { env = process.env, timeoutMs = 60_000 } = {}) {
  const child = spawn(cmd, args, { env, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  const match = new Promise((resolve, reject) => {
    if (!ready) {
      child.stdout.on('data', (chunk) => (output += chunk));
      child.stderr.on('data', (chunk) => (output += chunk));
      resolve(null);
      return;
    }
    const timer = setTimeout(() => reject(new Error(`${cmd} not ready after ${timeoutMs} ms:\n${output}`)), timeoutMs);
    const look = (chunk) => {
      output += chunk;
      const m = output.match(ready);
      if (m) {
        clearTimeout(timer);
        resolve(m);
      }
    };
    child.stdout.on('data', look);
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${cmd} exited (${code}) before it was ready:\n${output}`));
    });
  });
  return { child, match, output: () => output };
}

/** Stops a helper: SIGTERM to its group, SIGKILL after 10 s. */
async function stopHelper(helper, signal = 'SIGTERM') {
  const child = helper?.child;
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.stdin?.end();
  try {
    process.kill(-child.pid, signal);
  } catch {
    return;
  }
  const timer = setTimeout(() => {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // Gone already.
    }
  }, 10_000);
  await exited;
  clearTimeout(timer);
}

/** A launcher for one desktop: its own profile and team sign-in, then the app itself. */
async function desktopLauncher(dir, env) {
  for (const d of ['home', 'data', 'run']) await mkdir(path.join(dir, d), { recursive: true, mode: 0o700 });
  const vars = {
    HOME: path.join(dir, 'home'),
    XDG_CONFIG_HOME: path.join(dir, 'home/.config'),
    XDG_DATA_HOME: path.join(dir, 'home/.local/share'),
    XDG_CACHE_HOME: path.join(dir, 'home/.cache'),
    XDG_STATE_HOME: path.join(dir, 'home/.local/state'),
    KEFU_DATA_DIR: path.join(dir, 'data'),
    ...env,
  };
  const quote = (v) => `'${String(v).replaceAll("'", "'\\''")}'`;
  const script = [
    '#!/bin/sh',
    ...Object.entries(vars).map(([k, v]) => `export ${k}=${quote(v)}`),
    `exec ${quote(appBinary())} "$@"`,
    '',
  ].join('\n');
  const file = path.join(dir, 'kefu-desk');
  await writeFile(file, script);
  await chmod(file, 0o700);
  return file;
}

const inQueue = (browser, queue, customer) =>
  browser.execute(
    (q, c) => !!document.querySelector(`[data-testid="queue-${q}"] [data-testid="session-item"][data-customer="${c}"]`),
    queue,
    customer,
  );

describe('Kefu Desk as a team: two windows, one queue', { timeout: 300_000 }, () => {
  let dir;
  let emulatorProcess;
  let teamProcess;
  let secondDriver;
  /** @type {WebdriverIO.Browser | undefined} */
  let wang;
  /** @type {WebdriverIO.Browser | undefined} */
  let li;
  let emulator;

  const test = (name, fn) =>
    it(name, { timeout: 120_000 }, async (t) => {
      try {
        await fn(t);
      } catch (error) {
        if (wang) await saveFailureArtifacts(wang, `${t.name}-wang`);
        if (li) await saveFailureArtifacts(li, `${t.name}-li`);
        throw error;
      }
    });

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'kefu-team-e2e-'));
    emulatorProcess = startHelper(tool('kefu-emulator'), ['--port', '0', '--no-simulation'], /listening on (http:\/\/\S+)/);
    const [, base] = await emulatorProcess.match;
    emulator = async (method, route, body) => {
      const res = await fetch(`${base}${route}`, {
        method,
        headers: body ? { 'content-type': 'application/json' } : undefined,
        body: body ? JSON.stringify(body) : undefined,
      });
      const text = await res.text();
      assert.ok(res.ok, `${method} ${route}: HTTP ${res.status} ${text}`);
      return JSON.parse(text);
    };
    teamProcess = startHelper(tool('kefu'), ['--json', 'team-trial', '--agents', 'wang,li'], /^\{.*\}$/m);
    const [line] = await teamProcess.match;
    const { agents } = JSON.parse(line);

    // The emulator's default credentials (kefu-emulator --help).
    const shared = { KEFU_CORP_ID: 'wwkefudemo0000000001', KEFU_SECRET: 'kefu-desk-demo-secret', KEFU_API_BASE: base };
    const launchWang = await desktopLauncher(path.join(dir, 'wang'), { ...shared, KEFU_TEAM_DATABASE_URL: agents.wang });
    const launchLi = await desktopLauncher(path.join(dir, 'li'), { ...shared, KEFU_TEAM_DATABASE_URL: agents.li });

    // The second desktop gets its own driver under its own session bus: one app per bus (the
    // app is single-instance per session), as on two machines.
    const port = await freePort();
    const nativePort = await freePort();
    secondDriver = startHelper('dbus-run-session', ['--', process.env.TAURI_DRIVER, '--port', String(port), '--native-port', String(nativePort)], null);
    await listening(port, 15_000);

    wang = await startApp({ application: launchWang });
    li = await startApp({ port, application: launchLi });
    for (const [browser, agent] of [
      [wang, 'wang'],
      [li, 'li'],
    ]) {
      await browser.waitUntil(async () => (await rpc(browser, 'health_get'))?.team?.connected === true, {
        timeout: 30_000,
        timeoutMsg: `${agent}'s desktop never reached the team database`,
      });
      assert.equal((await rpc(browser, 'app_info')).agent, agent);
    }
  });

  after(async () => {
    await wang?.deleteSession().catch(() => {});
    await li?.deleteSession().catch(() => {});
    await stopHelper(secondDriver);
    await stopHelper(emulatorProcess, 'SIGINT');
    await stopHelper(teamProcess);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('a claim in one window leaves the other\u2019s waiting list within a second', async () => {
    const nickname = `团队客户${Date.now() % 100000}`;
    const { external_userid: customer } = await emulator('POST', '/emulator/customers/say', { nickname, text: '有人在吗？' });
    for (const browser of [wang, li]) {
      await browser.waitUntil(() => inQueue(browser, 'waiting', customer), {
        timeout: 30_000,
        timeoutMsg: 'the customer never reached both waiting lists',
      });
    }
    await openCustomer(li, customer);
    await openCustomer(wang, customer);

    const started = Date.now();
    await claim(wang);
    await li.waitUntil(async () => !(await inQueue(li, 'waiting', customer)), {
      timeout: 5_000,
      interval: 20,
      timeoutMsg: 'the claimed customer stayed in the other waiting list for 5 s',
    });
    const elapsed = Date.now() - started;
    console.log(`# claim in one window → gone from the other's waiting list: ${elapsed} ms`);
    assert.ok(elapsed < 1_000, `gone after ${elapsed} ms`);

    // The other desktop shows who has the customer, read-only, and cannot take it.
    await li.waitUntil(() => inQueue(li, 'colleague', customer), { timeout: 5_000, timeoutMsg: 'not listed as a colleague’s' });
    assert.equal(await li.$(`${byTestId('queue-colleague')} ${byTestId('session-owner')}`).getText(), 'wang');
    await li.$(byTestId('read-only')).waitForDisplayed({ timeout: 5_000 });
    assert.equal(await li.$(byTestId('claim-button')).isExisting(), false);
    assert.equal(await wang.$(byTestId('conversation')).getAttribute('data-state'), 'mine');
  });

  test('a reply in one window shows in the other with who sent it, and is sent once', async () => {
    const customer = await li.$(byTestId('conversation')).getAttribute('data-customer');
    const text = `您好，我是小王，马上为您查询 ${Date.now() % 100000}`;

    // Typing is seen by the colleague before anything is sent.
    const composer = await wang.$(byTestId('composer'));
    await composer.setValue(text);
    const activity = await li.$(byTestId('colleague-activity'));
    await activity.waitForDisplayed({ timeout: 10_000, timeoutMsg: 'the colleague never saw “wang is typing”' });
    assert.equal(await activity.getText(), 'wang 正在输入…');

    await (await wang.$(byTestId('send-button'))).click();
    const now = await wang.$(byTestId('send-now-button'));
    if (await now.isExisting().catch(() => false)) await now.click().catch(() => {});

    await li.waitUntil(
      async () =>
        li.execute(
          (t) =>
            [...document.querySelectorAll('[data-testid="message"]')].some(
              (el) =>
                el.querySelector('[data-testid="message-text"]')?.textContent === t &&
                el.querySelector('[data-testid="message-sent-by"]')?.textContent?.includes('wang'),
            ),
          text,
        ),
      { timeout: 20_000, timeoutMsg: 'the reply never showed in the other window with its sender' },
    );
    await li.waitUntil(async () => (await activity.getText().catch(() => '')) === 'wang 刚刚回复了该客户', {
      timeout: 10_000,
      timeoutMsg: 'the colleague never saw “wang replied just now”',
    });
    await wang.waitUntil(async () => (await sentTo(emulator, customer, text)).length === 1, {
      timeout: 20_000,
      timeoutMsg: 'WeChat never received the reply',
    });

    // A second reply from the other desktop is refused, naming who has the customer.
    const { openKfid } = (await rpc(li, 'session_list')).sessions.find((s) => s.externalUserid === customer);
    const refused = await li.execute(
      (kfid, c) =>
        window.__TAURI_INTERNALS__
          .invoke('rpc', { cmd: 'reply_send', req: { openKfid: kfid, externalUserid: c, text: '我也来回复' } })
          .then(
            () => JSON.stringify({ ok: true }),
            (error) => JSON.stringify({ ok: false, error }),
          ),
      openKfid,
      customer,
    ).then(JSON.parse);
    assert.equal(refused.ok, false, 'the second reply was accepted');
    assert.equal(refused.error.code, 'TAKEN_BY_COLLEAGUE', JSON.stringify(refused.error));
    assert.equal(refused.error.colleague, 'wang');
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const sent = (await emulator('GET', '/emulator/sent')).filter((m) => m.touser === customer);
    assert.equal(sent.length, 1, `WeChat received ${sent.length} replies: ${JSON.stringify(sent)}`);
  });

  test('a customer note written in one window shows in the other', async () => {
    const note = `老客户，偏好顺丰 ${Date.now() % 100000}`;
    const box = await li.$(byTestId('customer-note'));
    await box.setValue(note);
    await (await li.$(byTestId('customer-note-save'))).click();
    await wang.waitUntil(async () => (await (await wang.$(byTestId('customer-note')).getValue()) === note), {
      timeout: 15_000,
      timeoutMsg: 'the note never reached the other window',
    });
  });
});
