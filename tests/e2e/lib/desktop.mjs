// Helpers for the desktop behaviour tests: the embedded emulator's control API (as the customer
// and as the network), the backend's rpc, and what the notification daemon (dunst, started on the
// private session bus by D-Bus activation) received.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { byTestId } from './app-session.mjs';

const run = promisify(execFile);

/** Calls the backend's `rpc` command from inside the window. */
export const rpc = (browser, cmd, req = {}) =>
  browser.execute(
    (c, r) => window.__TAURI_INTERNALS__.invoke('rpc', { cmd: c, req: r }),
    cmd,
    req,
  );

/** The embedded emulator's control API, at the base URL `app_info` reports. */
export function emulatorOf(browser) {
  let base;
  return async (method, route, body) => {
    if (!base) {
      const info = await rpc(browser, 'app_info');
      assert.ok(info?.apiBase, `app_info names the emulator: ${JSON.stringify(info)}`);
      base = info.apiBase.replace(/\/+$/, '');
    }
    const res = await fetch(`${base}${route}`, {
      method,
      headers: body ? { 'content-type': 'application/json' } : undefined,
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    assert.ok(res.ok, `${method} ${route}: HTTP ${res.status} ${text}`);
    return JSON.parse(text);
  };
}

/**
 * Every notification dunst has received: the displayed ones are closed first, which moves them
 * into dunst's history. `[{appname, summary, body}]`.
 */
export async function dunstHistory() {
  await run('dunstctl', ['close-all']);
  const { stdout } = await run('dunstctl', ['history']);
  const parsed = JSON.parse(stdout || '{"data": [[]]}');
  return (parsed.data?.[0] ?? []).map((n) => ({
    appname: n.appname?.data,
    summary: n.summary?.data,
    body: n.body?.data,
  }));
}

/** How many notifications dunst shows right now. */
export async function dunstDisplayed() {
  const { stdout } = await run('dunstctl', ['count', 'displayed']);
  return Number.parseInt(stdout.trim(), 10) || 0;
}

/** Closes every shown notification (they move to dunst's history). */
export const dunstCloseAll = () => run('dunstctl', ['close-all']);

/** Clicks the first shown notification: dunst invokes its default action, as a mouse click does. */
export const dunstClickFirst = () => run('dunstctl', ['action', '0']);

/** Waits for the queue item of `customer` and opens the conversation. */
export async function openCustomer(browser, customer) {
  const item = await browser.$(`${byTestId('session-item')}[data-customer=${JSON.stringify(customer)}]`);
  await item.waitForExist({ timeout: 20_000, timeoutMsg: `${customer} did not appear in the queue within 20 s` });
  await item.click();
  await browser.waitUntil(
    async () => (await browser.$(byTestId('conversation')).getAttribute('data-customer')) === customer,
    { timeout: 5_000, timeoutMsg: `the conversation of ${customer} did not open` },
  );
}

/** Claims the open conversation. */
export async function claim(browser) {
  const button = await browser.$(byTestId('claim-button'));
  await button.waitForClickable({ timeout: 10_000 });
  await button.click();
  await browser.$(byTestId('composer')).waitForDisplayed({ timeout: 10_000 });
}

/** Types and sends a reply (skipping the undo delay when the composer offers it). */
export async function reply(browser, text) {
  const composer = await browser.$(byTestId('composer'));
  await composer.setValue(text);
  const send = await browser.$(byTestId('send-button'));
  await send.waitForClickable({ timeout: 5_000 });
  await send.click();
  const now = await browser.$(byTestId('send-now-button'));
  if (await now.isExisting().catch(() => false)) await now.click().catch(() => {});
}

/** The delivery state the window shows for the reply with this text, or null. */
export const deliveryOf = (browser, text) =>
  browser.execute(
    (t) =>
      [...document.querySelectorAll('[data-testid="message"]')]
        .find((el) => el.querySelector('[data-testid="message-text"]')?.textContent === t)
        ?.getAttribute('data-delivery') ?? null,
    text,
  );

/** Messages the emulator accepted for `customer` with this text. */
export async function sentTo(emulator, customer, text) {
  const sent = await emulator('GET', '/emulator/sent');
  return sent.filter((m) => m.touser === customer && m.content?.text?.content === text);
}
