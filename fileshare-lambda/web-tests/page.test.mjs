// The web page in a real browser (Debian's headless Chromium, driven by playwright-core): two users
// go through the whole flow, and every step fails the test if the page logs a console error.
//   FILESHARE_URL=http://127.0.0.1:8080 npm test        (scripts/test-browser starts everything)
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { chromium } from "playwright-core";

const BASE = (process.env.FILESHARE_URL ?? "http://127.0.0.1:8080").replace(/\/$/, "");
const SCREENSHOTS = process.env.FILESHARE_SCREENSHOTS ?? "screenshots";
const PASSWORD = "correct-Horse-battery-9";
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "fileshare-web-"));

let browser;

before(async () => {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    // This machine's network is closed: without these, Chromium's background connections fail noisily.
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync"],
  });
});

after(async () => {
  await browser?.close();
  fs.rmSync(scratch, { recursive: true, force: true });
});

/** A browser context of its own, with a page that collects its console errors. */
async function visitor(name) {
  const context = await browser.newContext({ acceptDownloads: true });
  const page = await context.newPage();
  const errors = [];
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(`${message.text()} (${message.location().url})`);
  });
  page.on("pageerror", (error) => errors.push(`uncaught: ${error.message}`));
  return { name, page, errors, context };
}

/** A person about to sign up, on the page. */
async function person(name) {
  const user = await visitor(`${name}-${crypto.randomUUID().slice(0, 8)}`);
  await user.page.goto(`${BASE}/`);
  return user;
}

async function shot(user, step) {
  await user.page.screenshot({ path: path.join(SCREENSHOTS, `${step}.png`), fullPage: true });
}

async function signUp(user) {
  await user.page.getByLabel("Username").fill(user.name);
  await user.page.getByLabel("Password").fill(PASSWORD);
  await user.page.getByRole("button", { name: "Sign up" }).click();
  await user.page.locator("#user-id").filter({ hasText: /.+/ }).waitFor();
  return (await user.page.locator("#user-id").textContent()).trim();
}

function noConsoleErrors(user) {
  assert.deepEqual(user.errors, [], `${user.name}'s page logged errors`);
}

test("two users upload, share, download, unshare and delete through the page", async () => {
  const alice = await person("alice");
  const bob = await person("bob");
  await signUp(alice);
  const bobName = await signUp(bob);
  assert.equal(bobName, bob.name, "the page shows the username people share with");
  assert.match(await alice.page.getByRole("status").textContent(), /Logged in as alice-/);
  await shot(alice, "01-signed-in");

  // Upload with the file chooser (3 MiB) and by drag and drop.
  const report = crypto.randomBytes(3 * 1024 * 1024 + 17);
  fs.writeFileSync(path.join(scratch, "report.bin"), report);
  await alice.page.getByLabel("Drop files here, or choose files").setInputFiles(path.join(scratch, "report.bin"));
  const owned = alice.page.locator("#owned");
  await owned.getByRole("cell", { name: "report.bin", exact: true }).waitFor();
  const dropped = await alice.page.evaluateHandle(() => {
    const transfer = new DataTransfer();
    transfer.items.add(new File(["dropped notes ✓"], "notes.txt", { type: "text/plain" }));
    return transfer;
  });
  await alice.page.dispatchEvent("#drop-zone", "dragover", { dataTransfer: dropped });
  await alice.page.dispatchEvent("#drop-zone", "drop", { dataTransfer: dropped });
  await owned.getByRole("cell", { name: "notes.txt", exact: true }).waitFor();
  await shot(alice, "02-uploaded");

  // Share report.bin with bob, by his username; a name nobody has is refused in words.
  const row = owned.getByRole("row", { name: /report\.bin/ });
  await row.getByText("Sharing").click();
  await row.getByLabel("Share with", { exact: true }).fill("nobody-has-this-name");
  await row.getByRole("button", { name: "Share", exact: true }).click();
  await alice.page.getByRole("alert").filter({ hasText: "There is no user called nobody-has-this-name." }).waitFor();
  await row.getByLabel("Share with", { exact: true }).fill(bobName);
  await row.getByRole("button", { name: "Share", exact: true }).click();
  await row.getByText(bobName).waitFor();
  await shot(alice, "03-shared");

  // Bob sees it and downloads it, byte for byte; notes.txt is not his to see.
  await bob.page.reload();
  const shared = bob.page.locator("#shared");
  await shared.getByRole("cell", { name: "report.bin", exact: true }).waitFor();
  await shared.getByRole("cell", { name: alice.name, exact: true }).waitFor(); // who shared it, by name
  assert.equal(await shared.getByRole("cell", { name: "notes.txt" }).count(), 0);
  const [download] = await Promise.all([
    bob.page.waitForEvent("download"),
    bob.page.getByRole("button", { name: "Download report.bin" }).click(),
  ]);
  assert.equal(download.suggestedFilename(), "report.bin");
  assert.ok(fs.readFileSync(await download.path()).equals(report), "downloaded bytes differ");
  await shot(bob, "04-bob-sees-shared-file");

  // Unshare: bob loses access at once.
  await row.getByRole("button", { name: `Stop sharing report.bin with ${bobName}` }).click();
  await row.getByText(bobName).waitFor({ state: "detached" });
  await bob.page.reload();
  await bob.page.locator("#shared-empty").waitFor({ state: "visible" });

  // Delete (after confirming).
  alice.page.once("dialog", (dialog) => dialog.accept());
  await alice.page.getByRole("button", { name: "Delete notes.txt" }).click();
  await owned.getByRole("cell", { name: "notes.txt", exact: true }).waitFor({ state: "detached" });
  await shot(alice, "05-after-delete");

  // Log out: the session is gone from the tab.
  await alice.page.getByRole("button", { name: "Log out" }).click();
  await alice.page.getByLabel("Username").waitFor();
  await alice.page.reload();
  await alice.page.getByLabel("Username").waitFor();

  // The refused name above is a 404 the browser reports itself; nothing else may be logged.
  alice.errors = alice.errors.filter((e) => !(e.includes("404") && e.includes("/share")));
  noConsoleErrors(alice);
  noConsoleErrors(bob);
  await alice.context.close();
  await bob.context.close();
});

test("share links: made and copied on the page, opened without an account, behind a password, used up, revoked", async () => {
  const dana = await person("dana");
  await dana.context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: BASE });
  await signUp(dana);
  const data = crypto.randomBytes(256 * 1024 + 3);
  fs.writeFileSync(path.join(scratch, "plans.bin"), data);
  await dana.page.getByLabel("Drop files here, or choose files").setInputFiles(path.join(scratch, "plans.bin"));
  const row = dana.page.locator("#owned").getByRole("row", { name: /plans\.bin/ });
  await row.waitFor();

  // One download, behind a password; copied with one click.
  await row.getByText("Links").click();
  await row.getByLabel("Download limit (optional)").fill("1");
  await row.getByLabel("Password (optional)").fill("open sesame");
  await row.getByLabel("Expires").selectOption("7d");
  await row.getByRole("button", { name: "Create link" }).click();
  const urlField = row.getByLabel("New link to plans.bin", { exact: true });
  await urlField.waitFor();
  const url = await urlField.inputValue();
  assert.match(url, new RegExp(`^${BASE}/l/`));
  await row.getByRole("button", { name: "Copy the new link to plans.bin" }).click();
  await dana.page.getByRole("status").filter({ hasText: "Link copied." }).waitFor();
  assert.equal(await dana.page.evaluate(() => navigator.clipboard.readText()), url);
  await row.getByText(/Link 1: 0\/1 downloads, expires .*, password/).waitFor();
  await shot(dana, "07-link-created");

  // Someone with no account opens it: name, size, a password prompt. A wrong password gets no file.
  const guest = await visitor("anonymous"); // no account, never logged in
  await guest.page.goto(url);
  await guest.page.getByRole("heading", { name: "plans.bin" }).waitFor();
  assert.match(await guest.page.locator("#file-size").textContent(), /256\.0 KiB/);
  await guest.page.getByLabel("This link needs a password").fill("open says me");
  await guest.page.getByRole("button", { name: "Download" }).click();
  await guest.page.getByRole("alert").filter({ hasText: "That password is not right." }).waitFor();
  await shot(guest, "08-link-wrong-password");
  await guest.page.getByLabel("This link needs a password").fill("open sesame");
  const [download] = await Promise.all([
    guest.page.waitForEvent("download"),
    guest.page.getByRole("button", { name: "Download" }).click(),
  ]);
  assert.equal(download.suggestedFilename(), "plans.bin");
  assert.ok(fs.readFileSync(await download.path()).equals(data), "the link's download differs");

  // Used up: the link's page says so, and no more.
  await guest.page.reload();
  await guest.page.getByRole("alert").filter({ hasText: "has no downloads left" }).waitFor();
  await shot(guest, "09-link-used-up");

  // A second, open link, revoked on the page: dead at once.
  await row.getByRole("button", { name: "Create link" }).click();
  await row.getByText(/Link 2:/).waitFor();
  const second = await urlField.inputValue();
  assert.notEqual(second, url);
  dana.page.once("dialog", (dialog) => dialog.accept());
  await row.getByRole("button", { name: "Revoke link 2 to plans.bin" }).click();
  await row.getByText(/Link 2:/).waitFor({ state: "detached" });
  await guest.page.goto(second);
  await guest.page.getByRole("alert").filter({ hasText: "was revoked" }).waitFor();

  noConsoleErrors(dana);
  // The refused password (403) and the dead links (404) are reported by the browser itself.
  const unexpected = guest.errors.filter((e) => !/\b(403|404)\b/.test(e) || !e.includes("/links/"));
  assert.deepEqual(unexpected, []);
  await dana.context.close();
  await guest.context.close();
});

test("wrong passwords and missing input get clear messages, with the keyboard alone", async () => {
  const carol = await person("carol");
  await signUp(carol);
  await carol.page.getByRole("button", { name: "Log out" }).click();

  // Keyboard only: type, Tab, type, Enter submits the form.
  await carol.page.getByLabel("Username").focus();
  await carol.page.keyboard.press("Control+A");
  await carol.page.keyboard.type(carol.name);
  await carol.page.keyboard.press("Tab");
  await carol.page.keyboard.type("Not-the-password-1");
  await carol.page.keyboard.press("Enter");
  const alert = carol.page.getByRole("alert");
  await alert.filter({ hasText: /password/i }).waitFor();
  await shot(carol, "06-wrong-password");

  assert.equal(await carol.page.getByLabel("Username").inputValue(), carol.name);

  await carol.page.getByLabel("Password").fill("");
  await carol.page.getByRole("button", { name: "Log in" }).click();
  await alert.filter({ hasText: "Enter a username and a password." }).waitFor();

  // The right password, still by keyboard, gets in.
  await carol.page.getByLabel("Password").focus();
  await carol.page.keyboard.type(PASSWORD);
  await carol.page.keyboard.press("Enter");
  await carol.page.getByRole("button", { name: "Log out" }).waitFor();
  assert.equal(await alert.isHidden(), true, "the error is cleared once logged in");

  // The browser reports the refused login itself; that 401 is expected, nothing else is.
  const unexpected = carol.errors.filter((e) => !(e.includes("401") && e.includes("/auth/login")));
  assert.deepEqual(unexpected, []);
  await carol.context.close();
});

/** The operator's command (`fileshare-server quota …`) against the service's own storage. */
function operator(args) {
  const { FILESHARE_SERVER_BIN: bin, FILESHARE_DATA_DIR: dataDir } = process.env;
  assert.ok(bin && dataDir, "set FILESHARE_SERVER_BIN and FILESHARE_DATA_DIR to the service's binary and data directory");
  return execFileSync(bin, args, { env: { ...process.env, FILESHARE_DATA_DIR: dataDir, RUST_LOG: "error" } }).toString();
}

test("the usage bar shows what is stored, and an upload over quota is refused in words", async () => {
  const dave = await person("dave");
  await signUp(dave);
  operator(["quota", "set", dave.name, "--bytes", "1MiB", "--files", "5"]);
  await dave.page.reload();
  const usage = dave.page.getByLabel("Storage used");
  await dave.page.locator("#usage-text").filter({ hasText: "0 B of 1.0 MiB · 0 of 5 files" }).waitFor();
  assert.equal(await usage.getAttribute("max"), String(1024 * 1024));

  const part = path.join(scratch, "600k.bin");
  fs.writeFileSync(part, crypto.randomBytes(600 * 1024));
  const chooser = dave.page.getByLabel("Drop files here, or choose files");
  await chooser.setInputFiles(part);
  await dave.page.locator("#owned").getByRole("cell", { name: "600k.bin", exact: true }).waitFor();
  await dave.page.locator("#usage-text").filter({ hasText: "600.0 KiB of 1.0 MiB · 1 of 5 files" }).waitFor();

  // A second one does not fit: refused in words, before any byte is sent; nothing changes.
  await chooser.setInputFiles(part);
  await dave.page
    .getByRole("alert")
    .filter({ hasText: "Not enough space: this 600.0 KiB file does not fit in the 424.0 KiB left of your 1.0 MiB." })
    .waitFor();
  await dave.page.locator("#usage-text").filter({ hasText: "600.0 KiB of 1.0 MiB · 1 of 5 files" }).waitFor();
  assert.equal(await dave.page.locator("#owned").getByRole("cell", { name: "600k.bin", exact: true }).count(), 1);
  assert.equal(await dave.page.locator("#uploads li").count(), 0, "no upload left hanging");
  await shot(dave, "09-over-quota");

  // The browser reports the refused request (403) itself; nothing else may be logged.
  dave.errors = dave.errors.filter((e) => !(e.includes("403") && e.includes("/files/upload-url")));
  noConsoleErrors(dave);
  await dave.context.close();
});

test("the page is served with a strict Content-Security-Policy", async () => {
  const response = await fetch(`${BASE}/`);
  const csp = response.headers.get("content-security-policy");
  assert.match(csp, /script-src 'self';/);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
  assert.match(csp, /frame-ancestors 'none'/);
  assert.equal(response.headers.get("x-content-type-options"), "nosniff");
});

test("the page states the password policy the server enforces", async () => {
  const page = await (await fetch(`${BASE}/`)).text();
  const shown = /id="password-policy">Passwords: ([^<]*)\.</.exec(page)?.[1];
  assert.ok(shown, "the page shows a password policy");
  // A weak password is refused in the very words the page shows.
  const response = await fetch(`${BASE}/auth/signup`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username: `policy${Date.now()}`, password: "short1A" }),
  });
  assert.equal(response.status, 400);
  const problem = await response.json();
  assert.ok(problem.detail.includes(shown), `the server's refusal says what the page says: ${problem.detail}`);
});
