// The web page as the deployed stack serves it — Cognito sign-in, S3 uploads, DynamoDB records — on
// the test rig: moto for Cognito and DynamoDB, s3s-fs for S3, with the stand-ins for what a browser
// needs of them that they lack (scripts/standin_cognito.py: SRP checks and RevokeToken;
// scripts/standin_s3_cors.py: the bucket's CORS). The server runs in AWS mode on FILESHARE_AWS_URL.
import assert from "node:assert/strict";
import crypto from "node:crypto";
import fs from "node:fs";
import { after, before, test } from "node:test";
import { accessible, close, launch, noConsoleErrors, scratchFile, shot, VIEWPORTS, visitor } from "./helpers.mjs";

const BASE = (process.env.FILESHARE_AWS_URL ?? "").replace(/\/$/, "");
const PASSWORD = "Correct-Horse-9-battery!";

before(async () => {
  assert.ok(BASE, "set FILESHARE_AWS_URL to the service running in AWS mode (scripts/test starts one)");
  await launch();
});
after(close);

/** The page's run-time configuration, as the server wrote it. */
async function pageConfig(page) {
  return JSON.parse(await page.locator('meta[name="fileshare-config"]').getAttribute("content"));
}

/** Someone signing up with their email address and confirming it with the emailed code. */
async function signUp(name, options) {
  const user = await visitor(name, options);
  user.email = `${name}-${crypto.randomUUID().slice(0, 8)}@example.com`;
  await user.page.goto(`${BASE}/`);
  await user.page.getByLabel("Email address").fill(user.email);
  await user.page.getByLabel("Password").fill(PASSWORD);
  await user.page.getByRole("button", { name: "Sign up" }).click();
  await user.page.getByText(`We sent a code to ${user.email}`).waitFor();
  await user.page.getByLabel("Confirmation code").fill("123456"); // moto takes any code
  await user.page.getByRole("button", { name: "Confirm" }).click();
  await user.page.locator("#user-id").filter({ hasText: user.email }).waitFor();
  return user;
}

function entry(user, list, name) {
  return user.page.locator(list).getByRole("listitem").filter({ has: user.page.getByRole("heading", { name, exact: true }) });
}

test("sign up, confirm, log in; 20 MiB in parts to S3; share by name; the grantee downloads it; revoke; log out", async () => {
  const bob = await signUp("bob");
  const alice = await signUp("alice");
  const config = await pageConfig(alice.page);
  assert.equal(config.identity, "cognito");
  const csp = (await alice.page.request.get(`${BASE}/`)).headers()["content-security-policy"];
  const connect = /connect-src ([^;]*);/.exec(csp)[1].split(" ");
  assert.deepEqual(connect.sort(), ["'self'", new URL(config.endpoint).origin, config.storage_origin].sort(),
    "the page talks to exactly the API, Cognito and the bucket");
  await shot(alice, "aws-01-signed-in");

  // 20 MiB: three parts, straight to S3, a few at a time.
  const big = crypto.randomBytes(20 * 1024 * 1024 + 7);
  const parts = [];
  alice.page.on("request", (r) => {
    if (r.method() === "PUT" && r.url().startsWith(config.storage_origin)) parts.push(new URL(r.url()).searchParams.get("partNumber"));
  });
  await alice.page.getByLabel("Drop files here, or choose files").setInputFiles(scratchFile("big.bin", big));
  await entry(alice, "#owned", "big.bin").waitFor({ timeout: 60_000 });
  assert.deepEqual(parts.sort(), ["1", "2", "3"], "uploaded in parts, to the bucket");
  await alice.page.locator("#usage-text").filter({ hasText: "20.0 MiB of 10.0 GiB · 1 of 10000 files" }).waitFor();

  // Shared with bob by his email address, found in the user pool.
  const item = entry(alice, "#owned", "big.bin");
  await item.getByRole("button", { name: "Share big.bin" }).click();
  await item.getByLabel("Share with", { exact: true }).fill(bob.email);
  await item.getByRole("button", { name: "Share", exact: true }).click();
  await item.getByText(bob.email, { exact: true }).waitFor();
  await shot(alice, "aws-02-shared");

  // Bob downloads it from S3, byte for byte.
  await bob.page.reload();
  await entry(bob, "#shared", "big.bin").getByText(`from ${alice.email}`).waitFor();
  const [download] = await Promise.all([
    bob.page.waitForEvent("download"),
    bob.page.getByRole("button", { name: "Download big.bin" }).click(),
  ]);
  assert.ok(fs.readFileSync(await download.path()).equals(big), "bob's download differs");
  await shot(bob, "aws-03-grantee");

  // Revoked: bob no longer sees it.
  await item.getByRole("button", { name: `Stop sharing big.bin with ${bob.email}` }).click();
  await item.getByText(bob.email, { exact: true }).waitFor({ state: "detached" });
  await bob.page.reload();
  await bob.page.locator("#shared-empty").waitFor({ state: "visible" });

  // The refresh token lives in an HttpOnly cookie the page cannot read; logging out revokes it.
  const cookie = (await alice.context.cookies()).find((c) => c.name === "fileshare_session");
  assert.ok(cookie && cookie.httpOnly && cookie.sameSite === "Strict" && cookie.path === "/auth", JSON.stringify(cookie));
  assert.equal(await alice.page.evaluate(() => document.cookie.includes("fileshare_session")), false);
  await alice.page.getByRole("button", { name: "Log out" }).click();
  await alice.page.getByLabel("Email address").waitFor();
  const refused = await fetch(`${BASE}/auth/refresh`, {
    method: "POST",
    headers: { "content-type": "application/json", cookie: `fileshare_session=${cookie.value}` },
    body: "{}",
  });
  assert.equal(refused.status, 401, "the revoked refresh token no longer works");
  const direct = await fetch(config.endpoint, {
    method: "POST",
    headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": "AWSCognitoIdentityProviderService.InitiateAuth" },
    body: JSON.stringify({ AuthFlow: "REFRESH_TOKEN_AUTH", ClientId: config.client_id, AuthParameters: { REFRESH_TOKEN: cookie.value } }),
  });
  assert.equal(direct.status, 400, "nor at Cognito itself");

  noConsoleErrors(alice);
  noConsoleErrors(bob);
  await alice.context.close();
  await bob.context.close();
});

test("a wrong password is refused: the SRP proof is checked, and the password never leaves the browser", async () => {
  const carol = await signUp("carol");
  await carol.page.getByRole("button", { name: "Log out" }).click();
  const sent = [];
  carol.page.on("request", (r) => sent.push(r.postData() || ""));
  await carol.page.getByLabel("Email address").fill(carol.email);
  await carol.page.getByLabel("Password").fill("Not-The-Password-9!");
  await carol.page.getByRole("button", { name: "Log in" }).click();
  await carol.page.getByRole("alert").filter({ hasText: "Wrong email address or password." }).waitFor();
  await carol.page.getByLabel("Password").fill(PASSWORD);
  await carol.page.getByRole("button", { name: "Log in" }).click();
  await carol.page.locator("#user-id").filter({ hasText: carol.email }).waitFor();
  assert.ok(!sent.some((body) => body.includes(PASSWORD) || body.includes("Not-The-Password")), "a password was sent");
  noConsoleErrors(carol, (e) => e.includes("400")); // Cognito's refusal, reported by the browser
  await carol.context.close();
});

test("accessible (axe-core) on AWS, desktop and phone", async () => {
  for (const [width, scheme] of [["desktop", "light"], ["phone", "dark"]]) {
    const dana = await visitor(`dana-${width}`, { viewport: VIEWPORTS[width], colorScheme: scheme, bypassCSP: true });
    await dana.page.goto(`${BASE}/`);
    await dana.page.getByLabel("Email address").waitFor();
    await accessible(dana, `sign-in (${width})`);
    await dana.page.getByLabel("Email address").fill(`dana-${width}-${crypto.randomUUID().slice(0, 8)}@example.com`);
    await dana.page.getByLabel("Password").fill(PASSWORD);
    await dana.page.getByRole("button", { name: "Sign up" }).click();
    await dana.page.getByLabel("Confirmation code").waitFor();
    await accessible(dana, `confirmation (${width})`);
    await shot(dana, `aws-layout-${width}-${scheme}-confirm`);
    noConsoleErrors(dana);
    await dana.context.close();
  }
});
