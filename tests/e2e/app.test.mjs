// The real Kefu Desk window over WebDriver: it opens, the rpc to the Rust backend answers
// (demo mode with the embedded emulator), and the language toggle re-renders the UI.
// Run through scripts/e2e.sh (Xvfb + tauri-driver + an isolated profile).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { byTestId, startApp, withArtifacts } from './lib/app-session.mjs';

describe('Kefu Desk window', { timeout: 240_000 }, () => {
  /** @type {WebdriverIO.Browser | undefined} */
  let browser;
  const test = (name, fn, timeout = 60_000) => it(name, { timeout }, withArtifacts(() => browser, fn));
  const $ = (testId) => browser.$(byTestId(testId));

  before(async () => {
    browser = await startApp();
  });

  after(async () => {
    await browser?.deleteSession();
  });

  test('opens, shows 客服台 and reaches demo mode', async () => {
    const started = Date.now();
    const title = await $('app-title');
    await title.waitForDisplayed();
    assert.equal(await title.getText(), '客服台');
    assert.equal(
      await $('lang-toggle').getAttribute('data-locale'),
      'zh-CN',
      'a fresh profile starts in Chinese (is the profile isolated?)',
    );

    const chip = await $('status-chip');
    let state;
    try {
      await browser.waitUntil(async () => (state = await chip.getAttribute('data-state')) === 'demo', {
        timeout: 20_000,
        interval: 200,
      });
    } catch {
      assert.fail(`the status chip did not reach demo mode in 20 s: data-state=${state}, "${await chip.getText()}"`);
    }
    assert.equal(await $('status-label').getText(), '演示模式 · 内置模拟器');
    console.error(`# e2e: demo mode after ${Date.now() - started} ms`);
  });

  test('the language toggle switches zh-CN ⇄ English', async () => {
    const toggle = await $('lang-toggle');
    const heading = await $('queue-waiting-title');
    const shows = (locale, text) =>
      browser.waitUntil(
        async () =>
          (await toggle.getAttribute('data-locale')) === locale && (await heading.getText()) === text,
        { timeout: 5_000, timeoutMsg: `expected locale ${locale} with the heading "${text}"` },
      );

    await shows('zh-CN', '等待中');
    await toggle.click();
    await shows('en', 'Waiting');
    assert.equal(await $('app-title').getText(), 'Kefu Desk');

    await toggle.click();
    await shows('zh-CN', '等待中');
    assert.equal(await $('app-title').getText(), '客服台');
  });

  test(
    'a simulated customer waits, is claimed and gets a reply that is sent',
    async () => {
      const started = Date.now();
      const waitingItem = await browser.$(`${byTestId('session-item')}[data-state="waiting"]`);
      await waitingItem.waitForExist({
        timeout: 30_000,
        timeoutMsg: 'no simulated customer appeared in the waiting queue within 30 s',
      });
      const customer = await waitingItem.getAttribute('data-customer');
      assert.ok(customer, 'a session item names its customer');
      console.error(`# e2e: customer ${customer} waiting after ${Date.now() - started} ms`);
      assert.notEqual(await $('queue-waiting-count').getText(), '0');

      // The item of this customer, wherever it is in the queues (read in the page: the id is
      // customer-provided, so it is never spliced into a selector).
      const stateOf = () =>
        browser.execute(
          (id) =>
            [...document.querySelectorAll('[data-testid="session-item"]')]
              .find((el) => el.getAttribute('data-customer') === id)
              ?.getAttribute('data-state') ?? null,
          customer,
        );

      await waitingItem.click();
      await browser.waitUntil(async () => (await browser.$$(byTestId('message')).length) >= 1, {
        timeout: 10_000,
        timeoutMsg: 'the selected conversation shows no message',
      });

      const claim = await $('claim-button');
      await claim.waitForClickable({ timeout: 5_000 });
      await claim.click();
      let state;
      await browser.waitUntil(async () => (state = await stateOf()) === 'mine', {
        timeout: 10_000,
        timeoutMsg: `the claimed session did not move to mine (data-state=${state})`,
      });

      const reply = `e2e reply ${Date.now()}`;
      const composer = await $('composer');
      await composer.waitForDisplayed({ timeout: 5_000 });
      await composer.setValue(reply);
      const send = await $('send-button');
      await send.waitForClickable({ timeout: 5_000 });
      await send.click();

      let delivery;
      try {
        await browser.waitUntil(
          async () =>
            (delivery = await browser.execute(
              (text) =>
                [...document.querySelectorAll('[data-testid="message"]')]
                  .find((el) => el.querySelector('[data-testid="message-text"]')?.textContent === text)
                  ?.getAttribute('data-delivery') ?? null,
              reply,
            )) === 'sent',
          { timeout: 15_000, interval: 250 },
        );
      } catch {
        const error = await browser.$(byTestId('conversation-error'));
        const shown = (await error.isExisting()) ? await error.getText() : 'none';
        assert.fail(`the reply was not shown as sent within 15 s: delivery=${delivery}, error: ${shown}`);
      }
      assert.equal(await composer.getValue(), '', 'the composer is cleared after sending');
      console.error(`# e2e: reply sent after ${Date.now() - started} ms`);
    },
    90_000,
  );
});
