// Desktop behaviour of the real window: a system notification reaches the notification daemon
// (dunst on the private session bus) when a customer arrives, and a reply written while WeChat
// cannot be reached waits in the outbox, visibly, and goes out exactly once when it can.
// Run through scripts/e2e.sh.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { readFileSync } from 'node:fs';
import { appBinary, byTestId, startApp, withArtifacts } from './lib/app-session.mjs';
import { appTree } from './lib/proc.mjs';
import {
  claim,
  deliveryOf,
  dunstClickFirst,
  dunstCloseAll,
  dunstDisplayed,
  dunstHistory,
  emulatorOf,
  openCustomer,
  reply,
  rpc,
  sentTo,
} from './lib/desktop.mjs';

describe('Kefu Desk on the desktop', { timeout: 300_000 }, () => {
  /** @type {WebdriverIO.Browser | undefined} */
  let browser;
  let emulator;
  const test = (name, fn, timeout = 120_000) => it(name, { timeout }, withArtifacts(() => browser, fn));

  before(async () => {
    browser = await startApp();
    emulator = emulatorOf(browser);
    await browser.waitUntil(async () => (await browser.$(byTestId('status-chip')).getAttribute('data-state')) === 'demo', {
      timeout: 20_000,
      timeoutMsg: 'the app did not reach demo mode',
    });
  });

  after(async () => {
    await browser?.deleteSession();
  });

  test('a new customer is announced to the notification daemon, claimed and answered', async () => {
    const nickname = `e2e通知${Date.now() % 100000}`;
    const text = '我的快递到哪了？';
    const { external_userid: customer } = await emulator('POST', '/emulator/customers/say', { nickname, text });

    let seen = [];
    try {
      await browser.waitUntil(
        async () => (seen = await dunstHistory()).some((n) => n.body.split('\n').includes(`${nickname}: ${text}`)),
        { timeout: 30_000, interval: 500 },
      );
    } catch {
      assert.fail(`dunst never received the notification; it has: ${JSON.stringify(seen.slice(0, 5))}`);
    }
    // Alone it is "新客户等待中" with its text; with others waiting, one line of "N 位客户等待中".
    const note = seen.find((n) => n.body.split('\n').includes(`${nickname}: ${text}`));
    assert.equal(note.appname, 'Kefu Desk');
    assert.match(note.summary, /^(新客户等待中|\d+ 位客户等待中)$/);
    if (note.summary === '新客户等待中') assert.equal(note.body, `${nickname}: ${text}`);

    const health = await rpc(browser, 'health_get');
    assert.equal(health.notifications, 'available', `health: ${JSON.stringify(health)}`);

    await openCustomer(browser, customer);
    await claim(browser);
    const answer = `e2e 已发货 ${Date.now()}`;
    await reply(browser, answer);
    let delivery;
    try {
      await browser.waitUntil(async () => (delivery = await deliveryOf(browser, answer)) === 'sent', {
        timeout: 20_000,
        interval: 250,
      });
    } catch {
      assert.fail(`the reply was not shown as sent within 20 s (delivery=${delivery})`);
    }
    assert.equal((await sentTo(emulator, customer, answer)).length, 1, 'the emulator received the reply once');
  });

  test('clicking a notification opens that customer\'s conversation', async () => {
    // Only this test's customers write: the simulated ones are paused, shown notifications closed.
    await emulator('POST', '/emulator/simulation', { paused: true });
    try {
      const { external_userid: first } = await emulator('POST', '/emulator/customers/say', {
        nickname: `e2e先到${Date.now() % 100000}`,
        text: '你好',
      });
      await openCustomer(browser, first);
      await dunstCloseAll();
      await browser.pause(500);
      await dunstCloseAll();
      assert.equal(await dunstDisplayed(), 0, 'no notification is shown before the customer writes');

      const { external_userid: second } = await emulator('POST', '/emulator/customers/say', {
        nickname: `e2e点击${Date.now() % 100000}`,
        text: '发票开了吗',
      });
      await browser.waitUntil(async () => (await dunstDisplayed()) === 1, {
        timeout: 30_000,
        interval: 250,
        timeoutMsg: 'dunst did not show the notification of the new customer',
      });
      const conversation = await browser.$(byTestId('conversation'));
      assert.equal(await conversation.getAttribute('data-customer'), first, 'the first customer is still open');

      await dunstClickFirst();
      await browser.waitUntil(async () => (await conversation.getAttribute('data-customer')) === second, {
        timeout: 10_000,
        interval: 250,
        timeoutMsg: 'clicking the notification did not open the conversation it announced',
      });
    } finally {
      await emulator('POST', '/emulator/simulation', { paused: false }).catch(() => {});
    }
  });

  test('several waiting customers share one notification, updated in place', async () => {
    await emulator('POST', '/emulator/simulation', { paused: true });
    try {
      await dunstCloseAll();
      const stamp = Date.now() % 100000;
      const lines = [];
      for (const i of [1, 2, 3]) {
        const nickname = `e2e组${stamp}-${i}`;
        const { external_userid: customer } = await emulator('POST', '/emulator/customers/say', { nickname, text: `第${i}位` });
        await browser.$(`${byTestId('session-item')}[data-customer=${JSON.stringify(customer)}]`).waitForExist({ timeout: 20_000 });
        lines.unshift(`${nickname}: 第${i}位`);
      }
      await browser.pause(1_000);
      assert.ok((await dunstDisplayed()) <= 2, 'at most one notification for waiting customers (and one for messages)');
      const history = await dunstHistory();
      // The newest few, newest first (a simulated customer already talking may write in between).
      const group = history.find((n) => n.body.split('\n').includes(lines[0]));
      assert.ok(group, `one notification names the newest customer: ${JSON.stringify(history.slice(0, 3))}`);
      const ours = group.body.split('\n').filter((line) => lines.includes(line));
      assert.deepEqual(ours, lines.filter((line) => ours.includes(line)), 'newest first');
      const n = Number(/^(\d+) 位客户等待中$/.exec(group.summary)?.[1]);
      assert.ok(n >= 3, `it counts everyone waiting: ${group.summary}`);
      assert.equal(
        history.filter((h) => lines.some((line) => h.body === line)).length,
        0,
        'no customer got a notification of their own',
      );
    } finally {
      await emulator('POST', '/emulator/simulation', { paused: false }).catch(() => {});
    }
  });

  test('offline: the reply waits in the outbox, visibly, then goes out exactly once', async () => {
    const { external_userid: customer } = await emulator('POST', '/emulator/customers/say', {
      nickname: `e2e离线${Date.now() % 100000}`,
      text: '在吗',
    });
    await openCustomer(browser, customer);
    await claim(browser);

    // WeChat unreachable: every API call answers 502 until the faults are cleared.
    await emulator('POST', '/emulator/faults', { endpoint: '*', count: 1_000_000, fault: { http: 502 } });
    try {
      const answer = `e2e 离线回复 ${Date.now()}`;
      await reply(browser, answer);
      let delivery;
      try {
        await browser.waitUntil(async () => (delivery = await deliveryOf(browser, answer)) === 'queued', {
          timeout: 15_000,
          interval: 250,
        });
      } catch {
        assert.fail(`the reply was not shown as queued (delivery=${delivery})`);
      }
      let health;
      try {
        await browser.waitUntil(async () => (health = await rpc(browser, 'health_get')).sync === 'offline', {
          timeout: 30_000,
          interval: 500,
        });
      } catch {
        assert.fail(`health never said offline: ${JSON.stringify(health)}`);
      }
      assert.ok(health.offlineSince > 0, 'offline says since when');
      assert.ok(health.outboxQueued >= 1, `the reply is counted in the outbox: ${JSON.stringify(health)}`);
      await browser.pause(3_000);
      assert.equal(await deliveryOf(browser, answer), 'queued', 'still queued while offline');
      assert.equal((await sentTo(emulator, customer, answer)).length, 0, 'nothing reached the API while offline');

      await emulator('DELETE', '/emulator/faults');
      try {
        await browser.waitUntil(async () => (delivery = await deliveryOf(browser, answer)) === 'sent', {
          timeout: 60_000,
          interval: 500,
        });
      } catch {
        assert.fail(`the reply did not go out after the network came back (delivery=${delivery})`);
      }
      await browser.pause(3_000);
      assert.equal((await sentTo(emulator, customer, answer)).length, 1, 'sent exactly once');
      await browser.waitUntil(async () => (await rpc(browser, 'health_get')).sync === 'online', {
        timeout: 30_000,
        timeoutMsg: 'health did not return to online',
      });
    } finally {
      await emulator('DELETE', '/emulator/faults').catch(() => {});
    }
  }, 180_000);

  test('the app restarts itself with its start-up environment, in place, and still draws', async () => {
    // src-tauri/webview.rs: WebKit's DMA-BUF renderer off, glibc's malloc, JavaScriptCore's heap
    // growth and compilers, and no GL in the app process, set by exec
    // before any thread exists; the pid the driver launched is the app (no second process).
    await browser.$(byTestId('session-item')).waitForExist({ timeout: 20_000 });
    const [app, ...children] = appTree(appBinary());
    const environ = (pid) =>
      new Map(
        readFileSync(`/proc/${pid}/environ`, 'utf8')
          .split('\0')
          .filter(Boolean)
          .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
      );
    const env = environ(app.pid);
    assert.equal(env.get('WEBKIT_DISABLE_DMABUF_RENDERER'), '1');
    assert.equal(env.get('MALLOC_ARENA_MAX'), '2');
    assert.equal(env.get('GLIBC_TUNABLES'), 'glibc.malloc.mmap_threshold=131072');
    // The web process runs the window's JavaScript: JavaScriptCore's heap growth as on a machine
    // of ordinary memory, without the optimising compilers.
    const web = children.find((c) => c.exe === 'WebKitWebProcess');
    assert.ok(web, `a WebKitWebProcess under the app: ${JSON.stringify(children)}`);
    assert.equal(environ(web.pid).get('JSC_aggressiveHeapThresholdInMB'), '1048576');
    assert.equal(environ(web.pid).get('JSC_useDFGJIT'), 'false');
    // No GL in the app process: neither GTK (GLX) nor WebKit (EGL) loads Mesa's driver, and
    // LLVM with it.
    const maps = readFileSync(`/proc/${app.pid}/maps`, 'utf8').split('\n');
    assert.ok(maps.some((line) => line.includes('libwebkit2gtk')), 'the maps are the app process');
    assert.deepEqual(
      maps.filter((line) => /_dri\.so|libGLX_mesa|libEGL_mesa|libLLVM/.test(line)),
      [],
      'the app process maps no Mesa driver',
    );
    assert.ok(!children.some((c) => c.exe === 'kefu-desk'), 'no second kefu-desk under the first');
    assert.ok(await browser.$(byTestId('session-item')).isDisplayed(), 'and the window still draws its queue');
  });
});
