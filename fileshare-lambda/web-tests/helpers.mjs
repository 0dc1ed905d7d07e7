// What the page tests share: Debian's headless Chromium (playwright-core), visitors whose console
// errors fail a test, screenshots at desktop and phone widths, and axe-core's accessibility check.
import assert from "node:assert/strict";
import fs from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { chromium } from "playwright-core";

export const SCREENSHOTS = process.env.FILESHARE_SCREENSHOTS ?? "screenshots";
export const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "fileshare-web-"));
const AXE = createRequire(import.meta.url).resolve("axe-core/axe.min.js");

/** The viewports every screenshot is taken at. */
export const VIEWPORTS = { desktop: { width: 1280, height: 900 }, phone: { width: 390, height: 844 } };

let browser;

export async function launch() {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    // This machine's network is closed: without these, Chromium's background connections fail noisily.
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync"],
  });
}

export async function close() {
  await browser?.close();
  fs.rmSync(scratch, { recursive: true, force: true });
}

/** A browser context of its own (`options`: viewport, colour scheme…), with a page that collects
 * its console errors. */
export async function visitor(name, options = {}) {
  const context = await browser.newContext({ acceptDownloads: true, viewport: VIEWPORTS.desktop, ...options });
  const page = await context.newPage();
  const errors = [];
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(`${message.text()} (${message.location().url})`);
  });
  page.on("pageerror", (error) => errors.push(`uncaught: ${error.message}`));
  return { name, page, errors, context };
}

export async function shot(user, step) {
  await user.page.screenshot({ path: path.join(SCREENSHOTS, `${step}.png`), fullPage: true });
}

/** Fails unless the page logged nothing but the refusals `expected` matches (the browser logs every
 * 4xx itself). */
export function noConsoleErrors(user, expected = () => false) {
  assert.deepEqual(user.errors.filter((e) => !expected(e)), [], `${user.name}'s page logged errors`);
}

/** axe-core over the page as it is now: no serious or critical violations. (axe is injected, which
 * the page's CSP forbids: the context must have been made with `bypassCSP: true`.) */
export async function accessible(user, what) {
  await user.page.addScriptTag({ path: AXE });
  const violations = await user.page.evaluate(async () => {
    const result = await globalThis.axe.run(document, { resultTypes: ["violations"] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(" ")) }));
  });
  const bad = violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  assert.deepEqual(bad, [], `${what}: accessibility violations`);
}

/** Writes `bytes` to a scratch file named `name`; returns its path. */
export function scratchFile(name, bytes) {
  const file = path.join(scratch, name);
  fs.writeFileSync(file, bytes);
  return file;
}
