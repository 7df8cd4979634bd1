// Measures the real window (run by scripts/measure-desktop.sh, inside Xvfb and a private D-Bus
// session, with tauri-driver listening): time from launch to an interactive queue, time to open
// the long conversation, and idle PSS of the app and its WebKit processes with it open.
// Prints one JSON line on stdout.
import path from 'node:path';
import { remote } from 'webdriverio';
import { appTree, keepMaps, memory } from './lib/proc.mjs';

const byTestId = (id) => `[data-testid="${id}"]`;
const bin = path.resolve(process.env.KEFU_DESK_BIN);
const customer = process.env.KEFU_MEASURE_CUSTOMER;

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
    const tree = appTree(bin);
    const parts = tree.map((p) => ({ ...p, ...memory(p.pid) }));
    samples.push(parts);
    await browser.pause(2_000);
  }
  const last = samples.at(-1);
  keepMaps(last, process.env.KEFU_MEASURE_MAPS);
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
