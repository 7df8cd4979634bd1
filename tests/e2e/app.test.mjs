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

  // --- as a customer, through the embedded emulator's control API --------------------------------

  /** The embedded emulator's base URL, from the backend's `app_info`. */
  let apiBase;
  const emulator = async (method, route, body) => {
    if (!apiBase) {
      const info = await browser.execute(
        "return await window.__TAURI_INTERNALS__.invoke('rpc', {cmd: 'app_info', req: {}})",
      );
      assert.ok(info?.apiBase, `app_info names the emulator: ${JSON.stringify(info)}`);
      apiBase = info.apiBase.replace(/\/+$/, '');
    }
    const res = await fetch(`${apiBase}${route}`, {
      method,
      headers: body ? { 'content-type': 'application/json' } : undefined,
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    assert.ok(res.ok, `${method} ${route}: HTTP ${res.status} ${text}`);
    return JSON.parse(text);
  };

  /** A new customer writes `text`; resolves to `{external_userid, open_kfid, msgid}`. */
  const customerSays = (nickname, text) => emulator('POST', '/emulator/customers/say', { nickname, text });

  /** The queue item of this customer (the id is put in the selector as a quoted CSS string). */
  const itemOf = (customer) =>
    browser.$(`${byTestId('session-item')}[data-customer=${JSON.stringify(customer)}]`);

  /** Waits for the customer in the queue and opens the conversation. */
  const openCustomer = async (customer) => {
    const item = await itemOf(customer);
    await item.waitForExist({
      timeout: 20_000,
      timeoutMsg: `the new customer ${customer} did not appear in the queue within 20 s`,
    });
    await item.click();
    await browser.waitUntil(
      async () => (await $('conversation').getAttribute('data-customer')) === customer,
      { timeout: 5_000, timeoutMsg: `the conversation of ${customer} did not open` },
    );
    return item;
  };

  test('customer HTML is shown as text, never rendered or run', async () => {
    const hostile = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script><b>加急</b>';
    const { external_userid: customer } = await customerSays(`e2e-html-${Date.now()}`, hostile);
    await openCustomer(customer);

    let texts = [];
    try {
      await browser.waitUntil(
        async () =>
          (texts = await browser.execute(() =>
            [...document.querySelectorAll('[data-testid="message"]')].map((el) => el.textContent ?? ''),
          )).some((t) => t.includes(hostile)),
        { timeout: 10_000, interval: 250 },
      );
    } catch {
      assert.fail(`no message shows the literal text; messages: ${JSON.stringify(texts)}`);
    }
    const rendered = await browser.execute(() => ({
      bold: document.querySelectorAll('[data-testid="message"] b').length,
      img: document.querySelectorAll('[data-testid="message"] img').length,
      script: document.querySelectorAll('[data-testid="message"] script').length,
      pwned: typeof window.__pwned === 'undefined' ? 'undefined' : String(window.__pwned),
    }));
    // Give a rendered <img onerror> the time to fire before the verdict.
    await browser.pause(500);
    const pwned = await browser.execute(() =>
      typeof window.__pwned === 'undefined' ? 'undefined' : String(window.__pwned),
    );
    assert.deepEqual(rendered, { bold: 0, img: 0, script: 0, pwned: 'undefined' });
    assert.equal(pwned, 'undefined', 'no customer script ran');
  });

  test(
    'five replies use the quota; the sixth is refused before it reaches the API',
    async () => {
      const { external_userid: customer } = await customerSays(`e2e-quota-${Date.now()}`, '请回复我');
      await openCustomer(customer);

      const windowLeft = await $('window-left');
      await windowLeft.waitForDisplayed({ timeout: 10_000, timeoutMsg: 'no 48 h window countdown is shown' });
      assert.match(await windowLeft.getText(), /^窗口剩余 4[78] 小时 \d+ 分$/);

      const claim = await $('claim-button');
      await claim.waitForClickable({ timeout: 10_000 });
      await claim.click();

      const quota = await $('replies-left');
      const leftIs = (n) =>
        browser.waitUntil(async () => (await quota.isExisting()) && (await quota.getAttribute('data-left')) === String(n), {
          timeout: 10_000,
          interval: 200,
          timeoutMsg: `replies-left did not reach data-left="${n}"`,
        });
      await leftIs(5);
      assert.equal(await quota.getText(), '剩余 5/5 条回复');

      const composer = await $('composer');
      const send = await $('send-button');
      const reply = async (text) => {
        await composer.waitForDisplayed({ timeout: 5_000 });
        await composer.setValue(text);
        await send.waitForClickable({ timeout: 5_000 });
        await send.click();
      };

      const stamp = Date.now();
      for (let i = 1; i <= 5; i++) {
        await reply(`e2e quota ${stamp} #${i}`);
        await leftIs(5 - i);
        if (5 - i === 1) assert.equal(await quota.getAttribute('data-level'), 'last', 'the last reply is flagged');
      }
      assert.equal(await quota.getText(), '剩余 0/5 条回复');

      await reply(`e2e quota ${stamp} #6`);
      const error = await $('conversation-error');
      await error.waitForDisplayed({ timeout: 10_000, timeoutMsg: 'the 6th reply showed no error' });
      assert.equal(await error.getAttribute('data-code'), 'QUOTA_USED');
      assert.equal(await error.getText(), '操作失败：本轮回复次数已用完（最多 5 条）');

      // The five accepted replies reach the API (sent asynchronously); the sixth never does.
      let toCustomer = [];
      try {
        await browser.waitUntil(
          async () =>
            (toCustomer = (await emulator('GET', '/emulator/sent')).filter((m) => m.touser === customer))
              .length >= 5,
          { timeout: 15_000, interval: 500 },
        );
      } catch {
        assert.fail(`the API got ${toCustomer.length} of the 5 replies within 15 s`);
      }
      await browser.pause(1_500);
      toCustomer = (await emulator('GET', '/emulator/sent')).filter((m) => m.touser === customer);
      assert.equal(toCustomer.length, 5, `exactly 5 messages to the customer: ${JSON.stringify(toCustomer)}`);
      assert.equal(new Set(toCustomer.map((m) => m.msgid)).size, 5, 'five distinct messages');
    },
    90_000,
  );
});
