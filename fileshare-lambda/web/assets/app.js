// fileshare's web page: the public HTTP API from the browser, on any deployment — configured at run
// time by the server (a <meta> tag), signing in with the built-in provider or Cognito (auth.js).
// The Content-Security-Policy allows no inline script, and user data only ever becomes text.

import { api, config, endSession, onSignedOut, resumeSession } from "./api.js";
import { setUpAuth, showAuth } from "./auth.js";
import { showFiles } from "./files.js";
import { $, action, clearErrors, fail, formatSize, toast } from "./ui.js";
import { cancelAll, uploadAll } from "./upload.js";

/** The usage bar: bytes stored against the quota (pending uploads included), and the file count. */
function showUsage({ usage, quota }) {
  const bar = $("usage-bar");
  bar.max = quota.bytes ?? Math.max(usage.bytes, 1);
  bar.value = usage.bytes;
  bar.high = bar.max * 0.9; // the bar turns to its warning colour from 90%
  const space = quota.bytes === null ? `${formatSize(usage.bytes)} (no limit)` : `${formatSize(usage.bytes)} of ${formatSize(quota.bytes)}`;
  const files = quota.files === null ? `${usage.files} files` : `${usage.files} of ${quota.files} files`;
  $("usage-text").textContent = `${space} · ${files}`;
}

/** Everything that an upload, a delete or a share can change: both listings and the usage. */
async function refresh() {
  const [me] = await Promise.all([api("GET", "/me"), showFiles(refresh)]);
  showUsage(me);
}

async function showApp() {
  const me = await api("GET", "/me");
  $("username").textContent = me.username || me.user_id;
  $("user-id").textContent = me.username || me.user_id;
  // With Cognito, people are found by their email address (their sign-in name).
  if (config.identity === "cognito") $("share-name-kind").textContent = "email address";
  showUsage(me);
  $("auth").hidden = true;
  $("app").hidden = false;
  $("account").hidden = false;
  await showFiles(refresh);
}

function wireUploads() {
  $("file-input").addEventListener(
    "change",
    action(async (event) => {
      const files = [...event.target.files];
      event.target.value = "";
      await uploadAll(files, refresh);
    }),
  );
  const zone = $("drop-zone");
  zone.addEventListener("dragover", (event) => {
    event.preventDefault();
    zone.classList.add("dragging");
  });
  zone.addEventListener("dragleave", () => zone.classList.remove("dragging"));
  zone.addEventListener(
    "drop",
    action(async (event) => {
      event.preventDefault();
      zone.classList.remove("dragging");
      await uploadAll([...event.dataTransfer.files], refresh);
    }),
  );
}

document.addEventListener("DOMContentLoaded", async () => {
  onSignedOut(showAuth);
  setUpAuth(async (name) => {
    clearErrors();
    await showApp();
    toast(`Logged in as ${name}.`);
  });
  $("logout").addEventListener(
    "click",
    action(async () => {
      // Logged out here at once, whatever the server says; then the session is revoked there.
      cancelAll();
      showAuth();
      try {
        await endSession();
      } catch (e) {
        throw new Error(`Logged out on this device, but the server could not end the session: ${e.message}`);
      }
      toast("Logged out.");
    }),
  );
  wireUploads();
  // A session from before (a reload, a new tab): the cookie says whether there is one.
  try {
    if (await resumeSession()) await showApp();
    else showAuth();
  } catch (e) {
    showAuth();
    fail(e);
  }
});
