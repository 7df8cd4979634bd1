// The soak benchmark's agent (run by `scripts/measure-desktop.sh soak`, inside Xvfb and a private
// D-Bus session, with tauri-driver listening): for a simulated working day it works the queue in
// the real window as an agent would — claims the customer waiting longest, answers whoever of
// mine needs a reply, and ends the one listed last when it holds more than eight — while the
// emulator's simulated customers arrive sped up. Every KEFU_SOAK_SAMPLE_SECS it samples the PSS
// of the app and its WebKit processes, the DOM size and the queue; after the day it idles and
// samples once more.
// Prints one JSON line on stdout.
import path from 'node:path';
import { byTestId, startApp } from './lib/app-session.mjs';
import { keepMaps, treeMemory } from './lib/proc.mjs';

const bin = path.resolve(process.env.KEFU_DESK_BIN);
const speed = Number(process.env.KEFU_SOAK_SPEED || 32);
const hours = Number(process.env.KEFU_SOAK_HOURS || 8);
const sampleMs = Number(process.env.KEFU_SOAK_SAMPLE_SECS || 30) * 1000;
const dayMs = (hours * 3600 * 1000) / speed;
const log = (...a) => console.error('soak:', ...a);

const browser = await startApp({ application: bin });

const actions = { claimed: 0, replied: 0, ended: 0, failed: 0 };
const item = (filter) => browser.$(`${byTestId('session-item')}${filter}`);

async function reply(text) {
  const composer = await browser.$(byTestId('composer'));
  await composer.waitForDisplayed({ timeout: 5_000 });
  await composer.setValue(text);
  await browser.keys(['Enter']);
  actions.replied++;
}

/** One round of the agent's work; a failed step is counted and the day goes on. */
async function work(round) {
  try {
    // Wrapping up first: beyond eight customers of mine, the one listed last (answered, or
    // the longest-held) is ended, as an agent would at the end of a conversation.
    const mine = await browser.$$(`${byTestId('session-item')}[data-state="mine"]`);
    if (mine.length > 8) {
      await mine[mine.length - 1].click();
      const end = await browser.$(byTestId('end-button'));
      await end.waitForClickable({ timeout: 5_000 });
      await end.click();
      actions.ended++;
      return;
    }
    const waiting = await item('[data-state="waiting"]');
    if (await waiting.isExisting()) {
      await waiting.click();
      const claim = await browser.$(byTestId('claim-button'));
      await claim.waitForClickable({ timeout: 5_000 });
      await claim.click();
      actions.claimed++;
      await reply(`您好，我是客服，马上为您处理（${round}）`);
      return;
    }
    const owed = await item('[data-state="mine"][data-needs-reply="true"]');
    if (await owed.isExisting()) {
      await owed.click();
      await reply('好的，已经记录，请稍等');
    }
  } catch (e) {
    actions.failed++;
    log('a step failed:', String(e?.message ?? e).split('\n')[0]);
  }
}

async function sample(started) {
  const mem = treeMemory(bin);
  const ui = await browser.execute(() => ({
    domNodes: document.getElementsByTagName('*').length,
    waiting: document.querySelectorAll('[data-testid="session-item"][data-state="waiting"]').length,
    mine: document.querySelectorAll('[data-testid="session-item"][data-state="mine"]').length,
  }));
  const of = (name) => mem.parts.filter((p) => p.exe.startsWith(name)).reduce((s, p) => s + p.pss, 0);
  const s = {
    simMinutes: Math.round(((performance.now() - started) * speed) / 60_000),
    pssKiB: mem.pss,
    appKiB: of(path.basename(bin)),
    webKiB: of('WebKitWebProcess'),
    ...ui,
  };
  log(JSON.stringify(s));
  return s;
}

try {
  await browser.$(byTestId('session-item')).waitForExist({ timeout: 120_000, interval: 50 });
  const started = performance.now();
  const samples = [await sample(started)];
  let nextSample = started + sampleMs;
  let round = 0;
  while (performance.now() - started < dayMs) {
    await work(++round);
    if (performance.now() >= nextSample) {
      samples.push(await sample(started));
      nextSample += sampleMs;
    }
    await browser.pause(2_000);
  }
  samples.push(await sample(started));
  // The day is over: nothing more is done; WebKit settles, then the idle figure.
  await browser.pause(30_000);
  const after = treeMemory(bin);
  const idle = after.pss;
  keepMaps(after.parts, process.env.KEFU_MEASURE_MAPS);
  // Growth: the mean PSS of the last simulated hour against that of the second hour (samples
  // jump with garbage collection; one sample against another would measure the noise).
  const mean = (from, to) => {
    const inside = samples.filter((s) => s.simMinutes >= from && s.simMinutes < to);
    return inside.reduce((t, s) => t + s.pssKiB, 0) / Math.max(1, inside.length);
  };
  const secondHour = mean(60, 120);
  const lastHour = mean((hours - 1) * 60, hours * 60 + 1);
  console.log(
    JSON.stringify({
      speed,
      hours,
      actions,
      samples,
      idleKiB: idle,
      secondHourKiB: Math.round(secondHour),
      lastHourKiB: Math.round(lastHour),
      growthAfterFirstHourPct: Math.round(((lastHour - secondHour) / secondHour) * 1000) / 10,
    }),
  );
} finally {
  await browser.deleteSession().catch(() => {});
}
