// The web page on the embedded default (built-in identity provider), in Debian's headless Chromium:
// people go through every flow, and any console error fails the test.
//   FILESHARE_URL=http://127.0.0.1:8080 node --test local.test.mjs   (scripts/test-browser runs it)
import { execFileSync } from "node:child_process";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import fs from "node:fs";
import { after, before, test } from "node:test";
import { accessible, close, launch, noConsoleErrors, scratchFile, shot, VIEWPORTS, visitor } from "./helpers.mjs";

const BASE = (process.env.FILESHARE_URL ?? "http://127.0.0.1:8080").replace(/\/$/, "");
const PASSWORD = "correct-Horse-battery-9";

before(launch);
after(close);

/** A person about to sign up, on the page. */
async function person(name, options) {
  const user = await visitor(`${name}-${crypto.randomUUID().slice(0, 8)}`, options);
  await user.page.goto(`${BASE}/`);
  return user;
}

async function signUp(user) {
  await user.page.getByLabel("Username").fill(user.name);
  await user.page.getByLabel("Password").fill(PASSWORD);
  await user.page.getByRole("button", { name: "Sign up" }).click();
  await user.page.locator("#user-id").filter({ hasText: /.+/ }).waitFor();
  return (await user.page.locator("#user-id").textContent()).trim();
}

/** A file's entry in a listing. */
function entry(user, list, name) {
  return user.page.locator(list).getByRole("listitem").filter({ has: user.page.getByRole("heading", { name, exact: true }) });
}

async function upload(user, name, bytes) {
  await user.page.getByLabel("Drop files here, or choose files").setInputFiles(scratchFile(name, bytes));
  await entry(user, "#owned", name).waitFor();
}

/** Confirms what the page asks in its dialog. */
async function confirm(user, label) {
  await user.page.getByRole("dialog").getByRole("button", { name: label }).click();
}

test("two users upload, share, download, unshare and delete through the page", async () => {
  const alice = await person("alice");
  const bob = await person("bob");
  await signUp(alice);
  const bobName = await signUp(bob);
  assert.equal(bobName, bob.name, "the page shows the username people share with");
  await alice.page.getByRole("status").filter({ hasText: `Logged in as ${alice.name}` }).waitFor();
  await shot(alice, "01-signed-in");

  // Upload with the file chooser (3 MiB) and by drag and drop.
  const report = crypto.randomBytes(3 * 1024 * 1024 + 17);
  await upload(alice, "report.bin", report);
  const dropped = await alice.page.evaluateHandle(() => {
    const transfer = new DataTransfer();
    transfer.items.add(new File(["dropped notes ✓"], "notes.txt", { type: "text/plain" }));
    return transfer;
  });
  await alice.page.dispatchEvent("#drop-zone", "dragover", { dataTransfer: dropped });
  await alice.page.dispatchEvent("#drop-zone", "drop", { dataTransfer: dropped });
  await entry(alice, "#owned", "notes.txt").waitFor();
  await alice.page.locator("#usage-text").filter({ hasText: "2 of 10000 files" }).waitFor();
  // A reload keeps the session: the page asks the API's cookie, not Web Storage, for it.
  await alice.page.reload();
  await entry(alice, "#owned", "report.bin").waitFor();
  assert.equal(await alice.page.evaluate(() => JSON.stringify({ ...sessionStorage, ...localStorage }).includes("ey")), false,
    "no token in Web Storage");
  await shot(alice, "02-uploaded");

  // Share report.bin with bob, by his username; a name nobody has is refused in words.
  const item = entry(alice, "#owned", "report.bin");
  await item.getByRole("button", { name: "Share report.bin" }).click();
  await item.getByLabel("Share with", { exact: true }).fill("nobody-has-this-name");
  await item.getByRole("button", { name: "Share", exact: true }).click();
  await alice.page.getByRole("alert").filter({ hasText: "There is no user called nobody-has-this-name." }).waitFor();
  await item.getByLabel("Share with", { exact: true }).fill(bobName);
  await item.getByRole("button", { name: "Share", exact: true }).click();
  await item.getByText(bobName, { exact: true }).waitFor();
  await shot(alice, "03-shared");

  // Bob sees it and downloads it, byte for byte; notes.txt is not his to see.
  await bob.page.reload();
  const shared = entry(bob, "#shared", "report.bin");
  await shared.getByText(`from ${alice.name}`).waitFor(); // who shared it, by name
  assert.equal(await entry(bob, "#shared", "notes.txt").count(), 0);
  const [download] = await Promise.all([
    bob.page.waitForEvent("download"),
    bob.page.getByRole("button", { name: "Download report.bin" }).click(),
  ]);
  assert.equal(download.suggestedFilename(), "report.bin");
  assert.ok(fs.readFileSync(await download.path()).equals(report), "downloaded bytes differ");
  await shot(bob, "04-bob-sees-shared-file");

  // Unshare: bob loses access at once.
  await item.getByRole("button", { name: `Stop sharing report.bin with ${bobName}` }).click();
  await item.getByText(bobName, { exact: true }).waitFor({ state: "detached" });
  await bob.page.reload();
  await bob.page.locator("#shared-empty").waitFor({ state: "visible" });

  // Delete, after confirming in the page's dialog; cancelling keeps the file.
  await alice.page.getByRole("button", { name: "Delete notes.txt" }).click();
  await alice.page.getByRole("dialog").getByText("Delete notes.txt?").waitFor();
  await shot(alice, "05-confirm-delete");
  await confirm(alice, "Cancel");
  assert.equal(await entry(alice, "#owned", "notes.txt").count(), 1);
  await alice.page.getByRole("button", { name: "Delete notes.txt" }).click();
  await confirm(alice, "Delete");
  await entry(alice, "#owned", "notes.txt").waitFor({ state: "detached" });

  // Log out: the session is gone, from the page and from the server.
  await alice.page.getByRole("button", { name: "Log out" }).click();
  await alice.page.getByLabel("Username").waitFor();
  await alice.page.reload();
  await alice.page.getByLabel("Username").waitFor();

  // The refused name above is a 404 the browser reports itself; nothing else may be logged.
  noConsoleErrors(alice, (e) => e.includes("404") && e.includes("/share"));
  noConsoleErrors(bob);
  await alice.context.close();
  await bob.context.close();
});

test("a file shared with more people than one page shows the rest on demand", async () => {
  const erin = await person("erin");
  await signUp(erin);
  await upload(erin, "memo.txt", Buffer.from("for everyone"));
  // 101 shares by user id, through the API with the page's own session (the page shares by name).
  const shared = await erin.page.evaluate(async () => {
    const { api } = await import("/assets/api.js");
    const files = await api("GET", "/files?scope=owned");
    const id = files.files[0].file_id;
    for (let i = 0; i < 101; i++) {
      await api("POST", `/files/${id}/share`, { user_id: `grantee-${String(i).padStart(3, "0")}` });
    }
    return id;
  });
  assert.ok(shared);
  const item = entry(erin, "#owned", "memo.txt");
  await item.getByRole("button", { name: "Share memo.txt" }).click();
  const people = item.getByRole("list", { name: "People memo.txt is shared with" }).getByRole("listitem");
  await item.getByText("grantee-099", { exact: true }).waitFor();
  assert.equal(await people.count(), 100, "the first page");
  await item.getByRole("button", { name: "Show more people memo.txt is shared with" }).click();
  await item.getByText("grantee-100", { exact: true }).waitFor();
  assert.equal(await people.count(), 101);
  assert.equal(await item.getByRole("button", { name: "Show more people memo.txt is shared with" }).isVisible(), false);
  noConsoleErrors(erin);
  await erin.context.close();
});

test("API Gateway's own refusals: a throttled request is tried again, one that stays refused is said in words", async () => {
  const fay = await person("fay");
  await signUp(fay);
  await upload(fay, "a.txt", Buffer.from("hello"));
  const gateway = (status, message) => (route) =>
    route.fulfill({ status, contentType: "application/json", body: JSON.stringify({ message }) });
  // The listing is throttled twice, as API Gateway throttles (no Retry-After): the page tries again.
  let throttled = 0;
  await fay.page.route("**/files?*", (route) => (throttled++ < 2 ? gateway(429, "Too Many Requests")(route) : route.continue()));
  await fay.page.reload();
  await entry(fay, "#owned", "a.txt").waitFor();
  assert.ok(throttled >= 3, "two throttled tries, then the one that went through");
  await fay.page.unroute("**/files?*");
  // Sharing stays throttled: after its tries, the page says so in words, not "Too Many Requests".
  await fay.page.route("**/share", gateway(429, "Too Many Requests"));
  const item = entry(fay, "#owned", "a.txt");
  await item.getByRole("button", { name: "Share a.txt" }).click();
  await item.getByLabel("Share with", { exact: true }).fill("someone");
  await item.getByRole("button", { name: "Share", exact: true }).click();
  await fay.page.getByRole("alert").filter({ hasText: "The service is busy right now. Try again in a moment." }).waitFor();
  noConsoleErrors(fay, (e) => e.includes("429"));
  await fay.context.close();
});

test("share links: made and copied on the page, opened without an account, behind a password, used up, revoked", async () => {
  const dana = await person("dana");
  await dana.context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: BASE });
  await signUp(dana);
  const data = crypto.randomBytes(256 * 1024 + 3);
  await upload(dana, "plans.bin", data);
  const item = entry(dana, "#owned", "plans.bin");

  // One download, behind a password; copied with one click.
  await item.getByRole("button", { name: "Links to plans.bin" }).click();
  await item.getByLabel("Download limit (optional)").fill("1");
  await item.getByLabel("Password (optional)").fill("open sesame");
  await item.getByLabel("Expires after").selectOption("7d");
  await item.getByRole("button", { name: "Create link" }).click();
  const urlField = item.getByLabel("New link to plans.bin", { exact: true });
  await urlField.waitFor();
  const url = await urlField.inputValue();
  assert.match(url, new RegExp(`^${BASE}/l/`));
  await item.getByRole("button", { name: "Copy the new link to plans.bin" }).click();
  await dana.page.getByRole("status").filter({ hasText: "Link copied to the clipboard." }).waitFor();
  assert.equal(await dana.page.evaluate(() => navigator.clipboard.readText()), url);
  await item.getByText(/Link 1: 0 of 1 downloads · expires .* · password/).waitFor();
  await shot(dana, "06-link-created");

  // The quick action copies a fresh link in one click.
  await dana.page.getByRole("button", { name: "Copy link to plans.bin" }).click();
  await dana.page.getByRole("status").filter({ hasText: "Link copied to the clipboard." }).nth(1).waitFor();
  assert.match(await dana.page.evaluate(() => navigator.clipboard.readText()), new RegExp(`^${BASE}/l/`));

  // Someone with no account opens it: name, size, a password prompt. A wrong password gets no file.
  const guest = await visitor("anonymous");
  await guest.page.goto(url);
  await guest.page.getByRole("heading", { name: "plans.bin" }).waitFor();
  assert.match(await guest.page.locator("#file-size").textContent(), /256\.0 KiB/);
  await guest.page.getByLabel("This link needs a password").fill("open says me");
  await guest.page.getByRole("button", { name: "Download" }).click();
  await guest.page.getByRole("alert").filter({ hasText: "That password is not right." }).waitFor();
  await shot(guest, "07-link-wrong-password");
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
  await shot(guest, "08-link-used-up");

  // A third, open link, revoked on the page after confirming: dead at once.
  await item.getByRole("button", { name: "Create link" }).click();
  await item.getByText(/Link 3:/).waitFor();
  const third = await urlField.inputValue();
  await item.getByRole("button", { name: "Revoke link 3 to plans.bin" }).click();
  await confirm(dana, "Revoke");
  await item.getByText(/Link 3:/).waitFor({ state: "detached" });
  await guest.page.goto(third);
  await guest.page.getByRole("alert").filter({ hasText: "was revoked" }).waitFor();

  noConsoleErrors(dana);
  // The refused password (403) and the dead links (404) are reported by the browser itself.
  noConsoleErrors(guest, (e) => /\b(403|404)\b/.test(e) && e.includes("/links/"));
  await dana.context.close();
  await guest.context.close();
});

test("large files go in parallel parts: a failed part is tried again, and an upload can be cancelled", async () => {
  const erin = await person("erin");
  await signUp(erin);
  // The first try of part 2 fails at storage: the page tries it again, and the file arrives whole.
  let failed = false;
  await erin.page.route("**/blobs/**", async (route) => {
    if (!failed && route.request().method() === "PUT" && /[?&]partNumber=2(&|$)/.test(route.request().url())) {
      failed = true;
      return route.fulfill({ status: 503, body: "busy" });
    }
    return route.continue();
  });
  const big = crypto.randomBytes(20 * 1024 * 1024 + 5);
  await upload(erin, "big.bin", big);
  assert.ok(failed, "a part failed once");
  const [download] = await Promise.all([
    erin.page.waitForEvent("download"),
    erin.page.getByRole("button", { name: "Download big.bin" }).click(),
  ]);
  assert.ok(fs.readFileSync(await download.path()).equals(big), "the parts assembled differ");

  // Parts held back: the upload is cancelled while they wait, and leaves nothing behind.
  await erin.page.unroute("**/blobs/**");
  await erin.page.route("**/blobs/**", (route) => new Promise((resolve) => setTimeout(() => resolve(route.continue().catch(() => {})), 3000)));
  await erin.page.getByLabel("Drop files here, or choose files").setInputFiles(scratchFile("cancelled.bin", big));
  await erin.page.getByRole("progressbar", { name: "Uploading cancelled.bin" }).waitFor();
  await shot(erin, "09-uploading");
  await erin.page.getByRole("button", { name: "Cancel uploading cancelled.bin" }).click();
  await erin.page.getByRole("status").filter({ hasText: "Cancelled uploading cancelled.bin." }).waitFor();
  assert.equal(await entry(erin, "#owned", "cancelled.bin").count(), 0);
  await erin.page.locator("#usage-text").filter({ hasText: "· 1 of 10000 files" }).waitFor();
  noConsoleErrors(erin, (e) => e.includes("503"));
  await erin.context.close();
});

test("wrong passwords and missing input get clear messages, with the keyboard alone", async () => {
  const carol = await person("carol");
  await signUp(carol);
  await carol.page.getByRole("button", { name: "Log out" }).click();
  await carol.page.getByRole("status").filter({ hasText: "Logged out." }).waitFor();

  // Keyboard only: type, Tab, type, Enter submits the form.
  await carol.page.getByLabel("Username").focus();
  await carol.page.keyboard.press("Control+A");
  await carol.page.keyboard.type(carol.name);
  await carol.page.keyboard.press("Tab");
  await carol.page.keyboard.type("Not-the-password-1");
  await carol.page.keyboard.press("Enter");
  const alert = carol.page.getByRole("alert");
  await alert.filter({ hasText: /password/i }).waitFor();
  await shot(carol, "10-wrong-password");
  assert.equal(await carol.page.getByLabel("Username").inputValue(), carol.name);

  await carol.page.getByLabel("Password").fill("");
  await carol.page.getByRole("button", { name: "Log in" }).click();
  await alert.filter({ hasText: "Enter a username and a password." }).waitFor();

  // The right password, still by keyboard, gets in, and the errors go.
  await carol.page.getByLabel("Password").focus();
  await carol.page.keyboard.type(PASSWORD);
  await carol.page.keyboard.press("Enter");
  await carol.page.getByRole("button", { name: "Log out" }).waitFor();
  assert.equal(await alert.count(), 0, "the errors are cleared once logged in");

  // The browser reports the refused login itself; that 401 is expected, nothing else is.
  noConsoleErrors(carol, (e) => e.includes("401") && e.includes("/auth/login"));
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

  const part = crypto.randomBytes(600 * 1024);
  await upload(dave, "600k.bin", part);
  await dave.page.locator("#usage-text").filter({ hasText: "600.0 KiB of 1.0 MiB · 1 of 5 files" }).waitFor();

  // A second one does not fit: refused in words, before any byte is sent; nothing changes.
  await dave.page.getByLabel("Drop files here, or choose files").setInputFiles(scratchFile("more.bin", part));
  await dave.page
    .getByRole("alert")
    .filter({ hasText: "Not enough space: this 600.0 KiB file does not fit in the 424.0 KiB left of your 1.0 MiB." })
    .waitFor();
  await dave.page.locator("#usage-text").filter({ hasText: "600.0 KiB of 1.0 MiB · 1 of 5 files" }).waitFor();
  assert.equal(await entry(dave, "#owned", "more.bin").count(), 0);
  assert.equal(await dave.page.locator("#uploads li").count(), 0, "no upload left hanging");
  await shot(dave, "11-over-quota");

  // The browser reports the refused request (403) itself; nothing else may be logged.
  noConsoleErrors(dave, (e) => e.includes("403") && e.includes("/files/upload-url"));
  await dave.context.close();
});

test("accessible (axe-core) and laid out for desktop and phone, light and dark", async () => {
  for (const [width, scheme] of [["desktop", "light"], ["phone", "dark"]]) {
    const frank = await person(`frank-${width}`, { viewport: VIEWPORTS[width], colorScheme: scheme, bypassCSP: true });
    await frank.page.getByLabel("Username").waitFor();
    await accessible(frank, `sign-in (${width}, ${scheme})`);
    await shot(frank, `layout-${width}-${scheme}-sign-in`);
    await signUp(frank);
    await upload(frank, "holiday photo.jpg", crypto.randomBytes(180 * 1024));
    await upload(frank, "a rather long file name for a quarterly report, final (2).pdf", crypto.randomBytes(1024));
    const item = entry(frank, "#owned", "holiday photo.jpg");
    await item.getByRole("button", { name: "Share holiday photo.jpg" }).click();
    await item.getByRole("button", { name: "Links to holiday photo.jpg" }).click();
    await item.getByRole("button", { name: "Create link" }).waitFor();
    await accessible(frank, `files (${width}, ${scheme})`);
    await shot(frank, `layout-${width}-${scheme}-files`);
    // Nothing wider than the screen: no sideways scrolling on a phone.
    const overflow = await frank.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `${width}: the page is ${overflow}px wider than the screen`);
    await frank.page.getByRole("button", { name: "Delete holiday photo.jpg" }).click();
    await frank.page.getByRole("dialog").waitFor();
    await accessible(frank, `confirmation (${width}, ${scheme})`);
    await shot(frank, `layout-${width}-${scheme}-confirm`);
    await confirm(frank, "Cancel");
    noConsoleErrors(frank);
    await frank.context.close();
  }
});

test("the page is served with a strict Content-Security-Policy", async () => {
  for (const path of ["/", "/assets/app.js", "/l/unknown"]) {
    const response = await fetch(`${BASE}${path}`, { headers: { accept: "text/html" } });
    const csp = response.headers.get("content-security-policy");
    assert.match(csp, /script-src 'self';/, path);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|\*/, path);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.match(csp, /connect-src 'self';/, "locally the page talks to this server only");
    assert.equal(response.headers.get("x-content-type-options"), "nosniff");
  }
});

test("the page states the password policy the server enforces", async () => {
  const user = await visitor("policy");
  await user.page.goto(`${BASE}/`);
  const shown = /^Passwords: (.*)\.$/.exec(await user.page.locator("#password-policy").textContent())?.[1];
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
  await user.context.close();
});
