// The agent's keyboard and history tools in the real window: the command palette (Ctrl+K) runs
// an action, and a history search hit opens its conversation scrolled to the message, highlighted.
// Run through scripts/e2e.sh (Xvfb + tauri-driver + an isolated profile).
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Key } from 'webdriverio';
import { byTestId, REPO_ROOT, startApp, withArtifacts } from './lib/app-session.mjs';
import { rpc as backend } from './lib/desktop.mjs';

describe('Kefu Desk workbench tools', { timeout: 240_000 }, () => {
  /** @type {WebdriverIO.Browser | undefined} */
  let browser;
  const test = (name, fn, timeout = 90_000) => it(name, { timeout }, withArtifacts(() => browser, fn));
  const $ = (testId) => browser.$(byTestId(testId));

  before(async () => {
    browser = await startApp();
    // The first load settles (demo mode) before keys are sent.
    await browser.waitUntil(async () => (await $('status-chip').getAttribute('data-state')) === 'demo', {
      timeout: 20_000,
      timeoutMsg: 'the app did not reach demo mode',
    });
  });

  after(async () => {
    await browser?.deleteSession();
  });

  /** The embedded emulator's control API (its base URL comes from the backend's app_info). */
  let apiBase;
  const emulator = async (method, route, body) => {
    if (!apiBase) {
      const info = await browser.execute(
        "return await window.__TAURI_INTERNALS__.invoke('rpc', {cmd: 'app_info', req: {}})",
      );
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

  test('Ctrl+K opens the command palette, typing filters it, Enter runs the action', async () => {
    await $('workbench').click();
    await browser.keys([Key.Ctrl, 'k']);
    const palette = await $('palette');
    await palette.waitForDisplayed({ timeout: 5_000, timeoutMsg: 'Ctrl+K did not open the command palette' });
    const input = await $('palette-input');
    assert.equal(await input.isFocused(), true, 'the palette input has the focus');

    const all = await browser.$$(byTestId('palette-item')).length;
    assert.ok(all >= 10, `the palette lists every action (${all})`);
    const settingsKeys = await browser.$(`${byTestId('palette-item')}[data-action="settings"] kbd`).getText();
    assert.ok(settingsKeys, 'each action shows its key');

    await input.setValue('设置');
    await browser.waitUntil(
      async () => {
        const first = await browser.$(byTestId('palette-item'));
        return (await first.isExisting()) && (await first.getAttribute('data-action')) === 'settings';
      },
      { timeout: 5_000, timeoutMsg: 'typing 设置 did not put the settings action first' },
    );
    assert.ok((await browser.$$(byTestId('palette-item')).length) < all, 'typing narrows the list');

    await browser.keys([Key.Enter]);
    await $('settings-view').waitForDisplayed({ timeout: 5_000, timeoutMsg: 'Enter did not open the settings' });
    assert.equal(await palette.isExisting(), false, 'the palette closes after running an action');
    assert.equal(await $('workbench').getAttribute('data-view'), 'settings');

    // The same registry answers the action's own key: back to the desk with Alt+1.
    await browser.keys([Key.Alt, '1']);
    await browser.waitUntil(async () => (await $('workbench').getAttribute('data-view')) === 'desk', {
      timeout: 5_000,
      timeoutMsg: 'Alt+1 did not return to the desk',
    });
  });

  test('a reply can be undone during its delay and is then never sent', async () => {
    const stamp = Date.now();
    const { external_userid: customer } = await emulator('POST', '/emulator/customers/say', {
      nickname: `e2e-undo-${stamp}`,
      text: '在吗？',
    });
    const item = await browser.$(`${byTestId('session-item')}[data-customer=${JSON.stringify(customer)}]`);
    await item.waitForExist({ timeout: 20_000, timeoutMsg: 'the customer did not reach the queue' });
    await item.click();
    const claim = await $('claim-button');
    await claim.waitForClickable({ timeout: 10_000 });
    await claim.click();

    const text = `e2e undo ${stamp}`;
    const composer = await $('composer');
    await composer.waitForDisplayed({ timeout: 10_000 });
    await composer.setValue(text);
    await browser.keys([Key.Enter]);
    const held = await $('held-reply');
    await held.waitForDisplayed({ timeout: 2_000, timeoutMsg: 'Enter did not hold the reply for undo' });
    assert.equal(await composer.getValue(), '', 'the composer is cleared while the reply is held');
    await $('undo-button').click();
    assert.equal(await held.isExisting(), false, 'the held reply is gone after undo');
    assert.equal(await composer.getValue(), text, 'undo puts the text back into the composer');

    await browser.pause(5_000);
    const sent = (await emulator('GET', '/emulator/sent')).filter((m) => m.touser === customer);
    assert.deepEqual(sent, [], 'an undone reply never reaches the API');
    const shown = await browser.execute(
      (t) => [...document.querySelectorAll('[data-testid="message-text"]')].some((el) => el.textContent === t),
      text,
    );
    assert.equal(shown, false, 'an undone reply is not in the conversation');
  });

  test('a canned reply written in 快捷回复 is found by its initials after / and fills in its variables', async () => {
    const stamp = Date.now();
    await $('nav-canned').click();
    await $('canned-add').click();
    await $('canned-field-title').setValue('退款说明');
    await $('canned-field-folder').setValue('售后');
    await $('canned-field-body').setValue('{客户}您好，订单 {订单号} 的退款已原路退回。客服：{客服}');
    await $('canned-save').click();
    await browser.waitUntil(
      async () => (await browser.$$(byTestId('canned-row-title')).map((e) => e.getText())).includes('退款说明'),
      { timeout: 10_000, timeoutMsg: 'the saved reply is not listed' },
    );

    const nickname = `e2e-canned-${stamp}`;
    const { external_userid: customer } = await emulator('POST', '/emulator/customers/say', {
      nickname,
      text: '我的订单号：E20261203-0042，想退款',
    });
    await $('nav-desk').click();
    const item = () => browser.$(`${byTestId('session-item')}[data-customer=${JSON.stringify(customer)}]`);
    await (await item()).waitForExist({ timeout: 20_000, timeoutMsg: 'the customer did not reach the queue' });
    await (await item()).click();
    const claim = await $('claim-button');
    await claim.waitForClickable({ timeout: 10_000 });
    await claim.click();
    const composer = await $('composer');
    await composer.waitForDisplayed({ timeout: 10_000 });
    const title = () => browser.execute(() => document.querySelector('[data-testid="conversation-title"]')?.textContent ?? '');
    await browser.waitUntil(async () => (await title()).includes(nickname), {
      timeout: 10_000,
      timeoutMsg: 'the conversation header never showed the nickname',
    });
    await composer.click();
    await browser.keys(['/', 't', 'k']);
    await browser.waitUntil(
      async () => (await browser.$$(byTestId('canned-option')).map((e) => e.getText())).some((t) => t.includes('退款说明')),
      { timeout: 10_000, timeoutMsg: '/tk did not offer 退款说明' },
    );
    await browser.keys([Key.Enter]);
    const { agent } = await browser.execute(
      "return await window.__TAURI_INTERNALS__.invoke('rpc', {cmd: 'app_info', req: {}})",
    );
    await browser.waitUntil(
      async () => (await composer.getValue()) === `${nickname}您好，订单 E20261203-0042 的退款已原路退回。客服：${agent}`,
      { timeout: 5_000, timeoutMsg: 'the reply was not put in with its variables filled' },
    );
    assert.equal(await $('canned-picker').isExisting(), false, 'the picker closes once a reply is chosen');
    await composer.clearValue();
  });

  test('a voice plays with its length and waveform; a file and a video open outside and save to Downloads', async () => {
    const say = (body) => emulator('POST', '/emulator/customers/say', body);
    const nickname = `e2e-media-${Date.now()}`;
    const { external_userid: customer } = await say({ nickname, media: 'voice_hello.amr' });
    await say({ external_userid: customer, media: '发票申请表.pdf' });
    await say({ external_userid: customer, media: 'device_fault.mp4' });
    await $('nav-desk').click();
    const item = await browser.$(`${byTestId('session-item')}[data-customer=${JSON.stringify(customer)}]`);
    await item.waitForExist({ timeout: 20_000, timeoutMsg: 'the customer did not reach the queue' });
    await item.click();

    // The voice: decoded from AMR by the backend, drawn as 48 bars with its length.
    const player = await $('voice-player');
    await player.waitForExist({ timeout: 20_000, timeoutMsg: 'the voice never became playable' });
    const ms = Number(await player.getAttribute('data-duration-ms'));
    assert.ok(ms > 7000 && ms < 8500, `the voice lasts ${ms} ms`);
    assert.equal(await $('voice-length').getText(), '0:08');
    assert.equal(await browser.$$(`${byTestId('voice-waveform')} span`).length, 48);
    await $('voice-play').click();
    // WebKit loads the WAV through kefu-media:// and reads its length: it is playable here.
    const audio = async () =>
      JSON.parse(
        await browser.execute(() => {
          const a = document.querySelector('[data-testid="voice-player"] audio');
          // As JSON: NaN (no length yet) becomes null.
          return JSON.stringify(a ? { duration: a.duration, error: a.error?.code ?? null, state: a.readyState } : null);
        }),
      );
    await browser.waitUntil(async () => Math.abs(((await audio())?.duration ?? 0) - ms / 1000) < 0.3, {
      timeout: 10_000,
      timeoutMsg: `the window could not load the voice: ${JSON.stringify(await audio())}`,
    });
    // It plays: the played part of the waveform grows.
    await browser.waitUntil(
      async () =>
        (await browser.execute(() => document.querySelectorAll('[data-testid="voice-waveform"] .played').length)) > 0,
      { timeout: 10_000, timeoutMsg: `the voice did not play: ${JSON.stringify(await audio())}` },
    );

    // The file: opened with the system application as a copy under its own name, and saved.
    const openedLog = process.env.KEFU_E2E_OPENED;
    assert.ok(openedLog, 'scripts/e2e.sh records what the app opens');
    const opened = async () => (await readFile(openedLog, 'utf8').catch(() => '')).split('\n').filter(Boolean);
    const file = await browser.$(`${byTestId('message-file')}`);
    await file.$(byTestId('media-open')).click();
    await browser.waitUntil(async () => (await opened()).some((p) => p.endsWith('/发票申请表.pdf')), {
      timeout: 10_000,
      timeoutMsg: 'the file was not handed to the opener',
    });
    const copy = (await opened()).find((p) => p.endsWith('/发票申请表.pdf'));
    const fixture = path.join(REPO_ROOT, 'crates/kefu-emulator/scenarios/media/发票申请表.pdf');
    assert.deepEqual(await readFile(copy), await readFile(fixture), 'the opened copy is the file the customer sent');
    // The system application does not inherit what the app set for its own WebKit at start.
    const openerEnv = (await readFile(`${openedLog}.env`, 'utf8')).split('\n');
    assert.ok(openerEnv.some((line) => line.startsWith('HOME=')), 'the opener has the user environment');
    assert.deepEqual(
      openerEnv.filter((line) => /^(GDK_GL|JSC_useDFGJIT|WEBKIT_WEB_RENDER_DEVICE_FILE|KEFU_STARTUP_ENV)=/.test(line)),
      [],
      'nor the start-up environment',
    );
    await file.$(byTestId('media-save')).click();
    const saved = path.join(process.env.HOME, 'Downloads', '发票申请表.pdf');
    await browser.waitUntil(async () => (await $('notice').getText()).includes(saved), {
      timeout: 10_000,
      timeoutMsg: 'saving did not say where the file went',
    });
    assert.deepEqual(await readFile(saved), await readFile(fixture));

    // The video plays in the window when pressed (its length is read) and opens in the system player.
    await $('message-video').click();
    const video = async () =>
      JSON.parse(
        await browser.execute(() => {
          const v = document.querySelector('video[data-testid="message-video"]');
          return JSON.stringify(v ? { duration: v.duration, state: v.readyState, error: v.error?.code ?? null } : null);
        }),
      );
    await browser.waitUntil(async () => Math.abs(((await video())?.duration ?? 0) - 3) < 0.3, {
      timeout: 15_000,
      timeoutMsg: `the video did not load in the window: ${JSON.stringify(await video())}`,
    });
    const videoBox = await (await $('message-video')).parentElement();
    await videoBox.$(byTestId('media-open')).click();
    await browser.waitUntil(async () => (await opened()).some((p) => p.endsWith('/device_fault.mp4')), {
      timeout: 10_000,
      timeoutMsg: 'the video was not handed to the opener',
    });
  });

  test('an account given its own business hours in 设置 is named closed in the queue', async () => {
    const rpc = (cmd, req) => backend(browser, cmd, req);
    const { accounts } = await rpc('settings_get', {});
    assert.ok(accounts.length >= 2, `the demo lists its accounts: ${JSON.stringify(accounts)}`);
    const kf = accounts[0].openKfid;
    await $('nav-settings').click();
    const add = await $('settings-account-hours-add');
    await add.waitForExist({ timeout: 10_000, timeoutMsg: 'the settings offer no account for hours of its own' });
    // Centred, clear of the notice line at the bottom of the window.
    await add.scrollIntoView({ block: 'center' });
    await add.selectByAttribute('value', kf);
    const item = await browser.$(`${byTestId('settings-account-hours-item')}[data-account="${kf}"]`);
    await item.waitForExist({ timeout: 5_000, timeoutMsg: 'choosing the account did not add its hours' });
    // Open tomorrow only (the window's day): closed now.
    const tomorrow = await browser.execute(() => ((new Date().getDay() + 1) % 7) || 7);
    for (let day = 1; day <= 7; day++) {
      const box = await $(`settings-account-hours-0-day-${day}`);
      if ((await box.isSelected()) !== (day === tomorrow)) {
        await box.scrollIntoView({ block: 'center' });
        await box.click();
      }
    }
    await (await $('settings-account-hours-0-away')).scrollIntoView({ block: 'center' });
    await $('settings-account-hours-0-away').setValue('售后明天上班');
    await $('settings-save').click();
    await $('settings-saved').waitForExist({ timeout: 10_000, timeoutMsg: 'the hours were not saved' });
    const saved = await rpc('settings_get', {});
    assert.deepEqual(
      saved.accountHours.map((a) => [a.openKfid, a.hours.days, a.hours.awayText]),
      [[kf, [tomorrow], '售后明天上班']],
    );
    await $('nav-desk').click();
    const notice = await browser.$(`${byTestId('queue-closed-account')}[data-account="${kf}"]`);
    await notice.waitForExist({ timeout: 20_000, timeoutMsg: 'the queue does not say the account is closed' });
    assert.equal(await $('queue-closed').isExisting(), false, 'the other accounts are open: the desk is not closed');
    await rpc('settings_set', { accountHours: [] });
  });

  test('a draft stays with its conversation and survives reloading the window', async () => {
    const stamp = Date.now();
    const { external_userid: customer } = await emulator('POST', '/emulator/customers/say', {
      nickname: `e2e-draft-${stamp}`,
      text: '发票怎么开？',
    });
    const item = () => browser.$(`${byTestId('session-item')}[data-customer=${JSON.stringify(customer)}]`);
    await (await item()).waitForExist({ timeout: 20_000, timeoutMsg: 'the customer did not reach the queue' });
    // The row previews the newest message and, once mine, marks that it needs a reply.
    const previewOf = (id) =>
      browser.execute(
        (c) => document.querySelector(`[data-testid="session-item"][data-customer="${c}"] [data-testid="session-preview"]`)?.textContent ?? null,
        id,
      );
    await browser.waitUntil(async () => (await previewOf(customer)) === '发票怎么开？', {
      timeout: 10_000,
      timeoutMsg: 'the queue row does not preview the newest message',
    });
    await (await item()).click();
    const claim = await $('claim-button');
    await claim.waitForClickable({ timeout: 10_000 });
    await claim.click();
    await browser.waitUntil(async () => (await (await item()).getAttribute('data-state')) === 'mine', { timeout: 10_000 });
    assert.ok(await (await item()).$(byTestId('session-needs-reply')).isExisting(), 'a claimed, unanswered customer is marked');
    const draft = `e2e draft ${stamp}：电子发票`;
    const composer = await $('composer');
    await composer.waitForDisplayed({ timeout: 10_000 });
    await composer.setValue(draft);

    await browser.execute(() => {
      window.__kefuBeforeReload = true;
    });
    await browser.refresh();
    await $('workbench').waitForExist({ timeout: 20_000, timeoutMsg: 'the window did not come back' });
    assert.equal(await browser.execute(() => window.__kefuBeforeReload ?? false), false, 'the page was reloaded');
    await (await item()).waitForExist({ timeout: 20_000, timeoutMsg: 'the conversation is gone after the reload' });
    await (await item()).click();
    const again = await $('composer');
    await again.waitForDisplayed({ timeout: 10_000 });
    await browser.waitUntil(async () => (await again.getValue()) === draft, {
      timeout: 5_000,
      timeoutMsg: 'the draft did not come back after the reload',
    });
  });

  test(
    'a search hit opens its conversation scrolled to the message and highlights it',
    async () => {
      const stamp = Date.now();
      const marker = `E2E${stamp}`;
      const first = await emulator('POST', '/emulator/customers/say', {
        nickname: `e2e-search-${stamp}`,
        text: `我的订单号是 ${marker}，麻烦帮我查一下`,
      });
      const customer = first.external_userid;
      const target = first.msgid;
      assert.ok(customer && target, `the emulator names the customer and the message: ${JSON.stringify(first)}`);
      // Enough later messages that the hit is outside the newest page the conversation opens on.
      for (let i = 0; i < 130; i++) {
        await emulator('POST', '/emulator/customers/say', { external_userid: customer, text: `后续消息 ${i}` });
      }

      await $('nav-search').click();
      const input = await $('search-input');
      await input.waitForDisplayed({ timeout: 5_000 });
      await input.setValue(marker);

      const hit = await browser.$(`${byTestId('search-result')}[data-msgid=${JSON.stringify(target)}]`);
      // The message reaches the store (and its index) as sync pulls it: search again until it does.
      let found = false;
      for (let attempt = 0; attempt < 12 && !found; attempt++) {
        await input.setValue(attempt % 2 ? `${marker} ` : marker);
        found = await hit.waitForExist({ timeout: 4_000, interval: 200 }).then(
          () => true,
          () => false,
        );
      }
      assert.ok(found, `no search result for ${marker} within 48 s`);
      const marked = await hit.$$('mark').map((m) => m.getText());
      assert.ok(
        marked.some((text) => text.includes(marker) || marker.includes(text)),
        `the hit marks the match: ${JSON.stringify(marked)}`,
      );
      assert.equal(await hit.getAttribute('data-customer'), customer);

      await hit.click();
      await browser.waitUntil(
        async () =>
          (await $('workbench').getAttribute('data-view')) === 'desk' &&
          (await $('conversation').getAttribute('data-customer')) === customer,
        { timeout: 10_000, timeoutMsg: 'clicking the hit did not open its conversation' },
      );

      const message = await browser.$(`${byTestId('message')}[data-msgid=${JSON.stringify(target)}]`);
      await message.waitForExist({ timeout: 10_000, timeoutMsg: 'the message is not in the opened conversation' });
      let state;
      try {
        await browser.waitUntil(
          async () => {
            state = await browser.execute((id) => {
              const el = [...document.querySelectorAll('[data-testid="message"]')].find(
                (m) => m.getAttribute('data-msgid') === id,
              );
              const list = document.querySelector('[data-testid="message-list"]');
              if (!el || !list) return null;
              const r = el.getBoundingClientRect();
              const l = list.getBoundingClientRect();
              return {
                visible: r.top >= l.top - 1 && r.bottom <= l.bottom + 1,
                highlighted: el.getAttribute('data-highlighted') === 'true',
                text: el.textContent,
              };
            }, target);
            return state?.visible && state.highlighted;
          },
          { timeout: 5_000, interval: 100 },
        );
      } catch {
        assert.fail(`the message is not visible and highlighted in its conversation: ${JSON.stringify(state)}`);
      }
      assert.ok(state.text.includes(marker), 'it is the message that was searched for');
    },
    150_000,
  );
});
