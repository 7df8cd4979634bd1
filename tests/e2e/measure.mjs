// Measures the real window (run by scripts/measure-desktop.sh, inside Xvfb and a private D-Bus
// session, with tauri-driver listening): time from launch to an interactive queue, time to open
// the long conversation, and idle PSS of the app and its WebKit processes with it open.
// Prints one JSON line on stdout.
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import path from 'node:path';
import { remote } from 'webdriverio';

const byTestId = (id) => `[data-testid="${id}"]`;
const bin = path.resolve(process.env.KEFU_DESK_BIN);
const customer = process.env.KEFU_MEASURE_CUSTOMER;

/** Every process: pid → {ppid, exe}. */
function processes() {
  const out = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      let exe = '';
      try {
        exe = readlinkSync(`/proc/${name}/exe`);
      } catch {
        // Not ours to read, or gone.
      }
      out.set(Number(name), { ppid, exe });
    } catch {
      // Gone meanwhile.
    }
  }
  return out;
}

/** The app's pid and its descendants (WebKit's web and network processes). */
function appTree() {
  const all = processes();
  const app = [...all].find(([, p]) => p.exe === bin)?.[0];
  if (!app) throw new Error(`no running ${bin}`);
  const tree = [app];
  for (let i = 0; i < tree.length; i++) {
    for (const [pid, p] of all) if (p.ppid === tree[i]) tree.push(pid);
  }
  return tree.map((pid) => ({ pid, exe: path.basename(all.get(pid).exe) }));
}

/** PSS and RSS in KiB from /proc/PID/smaps_rollup. */
function memory(pid) {
  const text = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  const kib = (key) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0);
  return { pss: kib('Pss'), rss: kib('Rss') };
}

const started = performance.now();
const browser = await remote({
  hostname: '127.0.0.1',
  port: Number(process.env.TAURI_DRIVER_PORT),
  path: '/',
  logLevel: 'warn',
  connectionRetryCount: 0,
  connectionRetryTimeout: 120_000,
  capabilities: {
    'tauri:options': { application: bin },
    'wdio:enforceWebDriverClassic': true,
  },
});
try {
  const windowReady = performance.now() - started;
  await browser.$(byTestId('session-item')).waitForExist({ timeout: 120_000, interval: 20 });
  const queueReady = performance.now() - started;
  const sessions = (await browser.$$(byTestId('session-item'))).length;

  const opening = performance.now();
  const item = await browser.$(`${byTestId('session-item')}[data-customer=${JSON.stringify(customer)}]`);
  await item.waitForExist({ timeout: 30_000, timeoutMsg: `the long conversation ${customer} is not in the queue` });
  await item.click();
  await browser.waitUntil(
    async () =>
      (await browser.$(byTestId('conversation')).getAttribute('data-customer')) === customer &&
      (await browser.$$(byTestId('message')).length) > 0,
    { timeout: 60_000, interval: 20, timeoutMsg: 'the long conversation did not show messages' },
  );
  const conversationReady = performance.now() - opening;
  const rendered = (await browser.$$(byTestId('message')).length);

  // Idle: nothing arrives (the emulator simulates no one); let WebKit settle, then sample.
  await browser.pause(Number(process.env.KEFU_MEASURE_IDLE_MS || 15_000));
  const samples = [];
  for (let i = 0; i < 3; i++) {
    const tree = appTree();
    const parts = tree.map((p) => ({ ...p, ...memory(p.pid) }));
    samples.push(parts);
    await browser.pause(2_000);
  }
  const last = samples.at(-1);
  console.log(
    JSON.stringify({
      windowReadyMs: Math.round(windowReady),
      queueReadyMs: Math.round(queueReady),
      sessions,
      conversationReadyMs: Math.round(conversationReady),
      renderedMessages: rendered,
      processes: last,
      pssKiB: last.reduce((s, p) => s + p.pss, 0),
      rssKiB: last.reduce((s, p) => s + p.rss, 0),
      pssSamplesKiB: samples.map((s) => s.reduce((t, p) => t + p.pss, 0)),
    }),
  );
} finally {
  await browser.deleteSession().catch(() => {});
}
