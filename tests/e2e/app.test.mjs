// The real Kefu Desk window over WebDriver: it opens, the rpc to the Rust backend answers
// (demo mode with the embedded emulator), and the language toggle re-renders the UI.
// Run through scripts/e2e.sh (Xvfb + tauri-driver + an isolated profile).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { byTestId, startApp, withArtifacts } from './lib/app-session.mjs';

describe('Kefu Desk window', { timeout: 180_000 }, () => {
  /** @type {WebdriverIO.Browser | undefined} */
  let browser;
  const test = (name, fn) => it(name, { timeout: 60_000 }, withArtifacts(() => browser, fn));
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
});
