// 报表 in the real window on demo data: a customer is answered, the report of today shows it,
// and its figures are the ones `kefu report --json` computes from the same store.
// Run through scripts/e2e.sh (Xvfb + tauri-driver + an isolated profile with KEFU_DATA_DIR).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { REPO_ROOT, byTestId, startApp, withArtifacts } from './lib/app-session.mjs';

const run = promisify(execFile);
const target = path.resolve(REPO_ROOT, process.env.CARGO_TARGET_DIR || 'target');
const kefu = path.join(target, 'debug', 'kefu');

/** `+08:00` of minutes east of UTC. */
function offsetText(minutes) {
  const sign = minutes < 0 ? '-' : '+';
  const m = Math.abs(minutes);
  return `${sign}${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
}

describe('报表', { timeout: 240_000 }, () => {
  /** @type {WebdriverIO.Browser | undefined} */
  let browser;
  const test = (name, fn, timeout = 120_000) => it(name, { timeout }, withArtifacts(() => browser, fn));
  const $ = (testId) => browser.$(byTestId(testId));

  before(async () => {
    browser = await startApp();
  });

  after(async () => {
    await browser?.deleteSession();
  });

  test('the view shows what `kefu report --json` computes from the same store', async () => {
    // One answered customer, so every kind of figure has something in it.
    const waiting = await browser.$(`${byTestId('session-item')}[data-state="waiting"]`);
    await waiting.waitForExist({ timeout: 30_000, timeoutMsg: 'no simulated customer within 30 s' });
    await waiting.click();
    const claim = await $('claim-button');
    await claim.waitForClickable({ timeout: 10_000 });
    await claim.click();
    const reply = `报表 e2e 😀👍 ${Date.now()}`;
    const composer = await $('composer');
    await composer.waitForDisplayed({ timeout: 5_000 });
    // WebDriver types only the Basic Multilingual Plane, so the emoji go in as an input event.
    await browser.execute((text) => {
      const box = document.querySelector('[data-testid="composer"]');
      box.value = text;
      box.dispatchEvent(new Event('input', { bubbles: true }));
    }, reply);
    await (await $('send-button')).click();
    await browser.waitUntil(
      () =>
        browser.execute(
          (text) =>
            [...document.querySelectorAll('[data-testid="message"]')].some(
              (el) =>
                el.querySelector('[data-testid="message-text"]')?.textContent === text &&
                el.getAttribute('data-delivery') === 'sent',
            ),
          reply,
        ),
      { timeout: 20_000, interval: 250, timeoutMsg: 'the reply was not sent' },
    );

    await (await $('nav-report')).click();
    await (await $('report-view')).waitForDisplayed();
    await (await $('report-range-today')).click();
    const offset = await browser.execute(() => -new Date().getTimezoneOffset());
    const dataDir = path.join(process.env.KEFU_DATA_DIR, 'demo');

    // The simulation keeps writing: read the view and ask the CLI right after, a few times.
    let last;
    for (let attempt = 0; attempt < 6; attempt++) {
      await (await $('report-refresh')).click();
      await browser.waitUntil(async () => (await $('report-refresh').isEnabled()) && (await $('report-kpis').isExisting()), {
        timeout: 10_000,
      });
      const view = await browser.execute(() => {
        const kpis = document.querySelector('[data-testid="report-kpis"]');
        const value = (key) => document.querySelector(`[data-testid="report-kpi-${key}"]`)?.getAttribute('data-value');
        const agents = [...document.querySelectorAll('[data-testid="report-agent-row"]')].map((row) => ({
          name: row.getAttribute('data-name'),
          sessions: row.getAttribute('data-sessions'),
          firstResponse: row.getAttribute('data-first-response'),
          out: row.getAttribute('data-messages-out'),
        }));
        return {
          since: kpis.getAttribute('data-since'),
          until: kpis.getAttribute('data-until'),
          sessions: value('sessions'),
          firstResponse: value('firstResponse'),
          response: value('response'),
          answered: value('answered'),
          messagesIn: value('messagesIn'),
          messagesOut: value('messagesOut'),
          refused: value('refused'),
          agents,
          charts: ['day', 'hour'].map((c) => {
            const canvas = document.querySelector(`[data-testid="report-chart-${c}"] canvas`);
            return canvas ? canvas.width * canvas.height : 0;
          }),
        };
      });
      const { stdout } = await run(
        kefu,
        ['--json', 'report', '--since', view.since, '--until', view.until, '--tz', offsetText(offset)],
        // The desktop credits its own replies to its agent name ("agent" unless set).
        { env: { PATH: process.env.PATH, KEFU_DATA_DIR: dataDir, KEFU_AGENT: 'agent' } },
      );
      const cli = JSON.parse(stdout);
      const t = cli.totals;
      const expected = {
        since: String(cli.since),
        until: String(cli.until),
        sessions: String(t.sessions),
        firstResponse: String(t.first_response.avg_secs ?? ''),
        response: String(t.response.avg_secs ?? ''),
        answered: String(t.answered_share ?? ''),
        messagesIn: String(t.messages_in),
        messagesOut: String(t.messages_out),
        refused: String(t.refused),
        agents: cli.by_agent.map((a) => ({
          name: a.name,
          sessions: String(a.sessions),
          firstResponse: String(a.first_response.avg_secs ?? ''),
          out: String(a.messages_out),
        })),
        charts: view.charts,
      };
      last = { view, expected };
      if (JSON.stringify(view) === JSON.stringify(expected)) break;
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    assert.deepEqual(last.view, last.expected, 'the view and the CLI agree');
    assert.ok(Number(last.view.messagesOut) >= 1, `our reply is counted: ${JSON.stringify(last.view)}`);
    assert.ok(last.view.agents.some((a) => a.name === 'agent'), 'the agent who replied has a row');
    assert.ok(last.view.charts.every((area) => area > 0), 'both charts are drawn');
    console.error(`# e2e: report ${JSON.stringify(last.view)}`);

    // Emoji draw in colour with the text's own fonts (fonts-noto-color-emoji), not as empty or
    // grey boxes: the reply's emoji drawn on a canvas in the message's font has coloured pixels
    // (without the colour font it has none).
    const colour = await browser.execute((text) => {
      const el = [...document.querySelectorAll('[data-testid="message-text"]')].find((e) => e.textContent === text);
      if (!el) return null;
      const count = (family) => {
        const canvas = document.createElement('canvas');
        canvas.width = 120;
        canvas.height = 60;
        const g = canvas.getContext('2d');
        g.fillStyle = '#fff';
        g.fillRect(0, 0, 120, 60);
        g.fillStyle = '#000';
        g.font = `40px ${family}`;
        g.fillText('😀', 10, 48);
        const px = g.getImageData(0, 0, 120, 60).data;
        let n = 0;
        for (let i = 0; i < px.length; i += 4) {
          if (Math.max(px[i], px[i + 1], px[i + 2]) - Math.min(px[i], px[i + 1], px[i + 2]) > 64) n++;
        }
        return n;
      };
      return { message: count(getComputedStyle(el).fontFamily) };
    }, reply);
    assert.ok(colour, 'the reply with emoji is on screen');
    assert.ok(colour.message > 100, `the emoji is drawn in colour (${JSON.stringify(colour)})`);

    // KEFU_E2E_SHOTS=DIR keeps a picture of the view in the light and the dark theme.
    const shots = process.env.KEFU_E2E_SHOTS;
    if (shots) {
      await browser.saveScreenshot(path.join(shots, 'report-light.png'));
      await browser.execute(() => document.documentElement.setAttribute('data-theme', 'dark'));
      await new Promise((resolve) => setTimeout(resolve, 500));
      await browser.saveScreenshot(path.join(shots, 'report-dark.png'));
      await browser.execute(() => document.documentElement.setAttribute('data-theme', 'light'));
    }

    // English re-labels the view; the figures stay.
    await (await $('lang-toggle')).click();
    await browser.waitUntil(async () => (await $('report-range-today').getText()) === 'Today', { timeout: 5_000 });
    await (await $('lang-toggle')).click();
  });
});
