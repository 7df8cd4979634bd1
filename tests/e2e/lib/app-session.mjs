// One WebDriver session = one running Kefu Desk window, driven through tauri-driver
// (WebKitWebDriver underneath). scripts/e2e.sh starts the driver under Xvfb with an isolated
// HOME/XDG/KEFU_DATA_DIR; the app inherits that environment from the driver.
//
// Environment:
//   KEFU_DESK_BIN        app binary (default ${CARGO_TARGET_DIR:-<repo>/target}/debug/kefu-desk);
//                        must be a `custom-protocol` build with the UI embedded
//   TAURI_DRIVER_PORT    tauri-driver's port (default 4444)
//   KEFU_E2E_ARTIFACTS   where failure screenshots go (default <repo>/tests/.artifacts)
//   WDIO_LOG_LEVEL       webdriverio's log level (default warn)
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { remote } from 'webdriverio';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

export function appBinary() {
  if (process.env.KEFU_DESK_BIN) return path.resolve(REPO_ROOT, process.env.KEFU_DESK_BIN);
  const target = path.resolve(REPO_ROOT, process.env.CARGO_TARGET_DIR || 'target');
  return path.join(target, 'debug', 'kefu-desk');
}

export const artifactsDir = () =>
  path.resolve(REPO_ROOT, process.env.KEFU_E2E_ARTIFACTS || 'tests/.artifacts');

/** `[data-testid="…"]` */
export const byTestId = (id) => `[data-testid="${id}"]`;

/**
 * Starts the app (a new WebDriver session) and waits until the UI has mounted. `port` is a
 * tauri-driver's (default the suite's), `application` the program it launches (default the app).
 */
export async function startApp({ port = Number(process.env.TAURI_DRIVER_PORT || 4444), application = appBinary() } = {}) {
  const browser = await remote({
    hostname: '127.0.0.1', // tauri-driver forwards to the host of this request, on its native port
    port,
    path: '/',
    logLevel: process.env.WDIO_LOG_LEVEL || 'warn',
    // Creating the session launches the app; never retry it, or a second instance could start.
    connectionRetryCount: 0,
    connectionRetryTimeout: 90_000,
    waitforTimeout: 10_000,
    capabilities: {
      'tauri:options': { application },
      // WebKitWebDriver speaks classic WebDriver only; don't ask it for a BiDi socket.
      'wdio:enforceWebDriverClassic': true,
    },
  });
  try {
    await browser.$(byTestId('workbench')).waitForExist({
      timeout: 20_000,
      timeoutMsg: 'the UI never mounted (is the binary a custom-protocol build with ui/dist embedded?)',
    });
  } catch (error) {
    await saveFailureArtifacts(browser, 'startup');
    await browser.deleteSession().catch(() => {});
    throw error;
  }
  return browser;
}

/** Saves a screenshot and the page source of the window; never throws. */
export async function saveFailureArtifacts(browser, name) {
  const dir = artifactsDir();
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const base = path.join(dir, `${stamp}-${name.replace(/[^\w.-]+/g, '_').slice(0, 80)}`);
  try {
    await mkdir(dir, { recursive: true });
    // Let WebKit present a frame first: a snapshot taken right after a change can come back as
    // the bare page background.
    await browser
      .executeAsync((done) => requestAnimationFrame(() => requestAnimationFrame(() => done())))
      .catch(() => {});
    await browser.saveScreenshot(`${base}.png`);
    console.error(`# e2e: screenshot saved to ${path.relative(process.cwd(), `${base}.png`)}`);
  } catch (error) {
    console.error(`# e2e: could not save a screenshot: ${error?.message ?? error}`);
  }
  try {
    await writeFile(`${base}.html`, await browser.getPageSource());
  } catch {
    // The screenshot is the artefact that matters.
  }
}

/**
 * A test body that saves a screenshot of the window when it fails. `getBrowser` is called
 * at failure time, so it can read a session created in a `before` hook.
 */
export function withArtifacts(getBrowser, fn) {
  return async (t) => {
    try {
      await fn(t);
    } catch (error) {
      const browser = getBrowser();
      if (browser) await saveFailureArtifacts(browser, t.name);
      throw error;
    }
  };
}
