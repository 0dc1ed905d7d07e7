// fileshare's web page: the public HTTP API from the browser. Tokens live in sessionStorage (this
// tab only); the page's Content-Security-Policy allows no inline script, so user data is only ever
// inserted as text. Uploads go straight to storage through the presigned upload or part URLs.
"use strict";

const MULTIPART_THRESHOLD = 64 * 1024 * 1024;
const $ = (id) => document.getElementById(id);

// ---------------------------------------------------------------- session
const session = {
  get: () => JSON.parse(sessionStorage.getItem("fileshare") || "null"),
  set: (value) => sessionStorage.setItem("fileshare", JSON.stringify(value)),
  clear: () => sessionStorage.removeItem("fileshare"),
};

/** A refusal explained by the API's problem document (or storage's reply). */
class ApiError extends Error {
  constructor(status, detail) {
    super(detail);
    this.status = status;
  }
}

/** An upload over quota, in words; `null` for any other problem. */
function overQuota(body) {
  if (!String(body.type).endsWith("/quota-exceeded")) return null;
  const { usage, quota, size } = body;
  if (quota.files !== null && usage.files >= quota.files) {
    return `You have ${usage.files} files, the most your quota allows. Delete files you no longer need.`;
  }
  const left = Math.max(0, quota.bytes - usage.bytes);
  return `Not enough space: this ${formatSize(size)} file does not fit in the ${formatSize(left)} left of your ` +
    `${formatSize(quota.bytes)}. Delete files you no longer need, or ask for more space.`;
}

async function problem(response) {
  const text = await response.text();
  try {
    const body = JSON.parse(text);
    const words = overQuota(body) || body.detail || body.title || `HTTP ${response.status}`;
    return new ApiError(response.status, words);
  } catch {
    const message = /<Message>([^<]*)<\/Message>/.exec(text);
    return new ApiError(response.status, message ? message[1] : `HTTP ${response.status}`);
  }
}

async function post(path, body) {
  const response = await fetch(path, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw await problem(response);
  return response.status === 204 ? null : response.json();
}

/** One refresh at a time: requests that find the token expired together all wait for the same
 * one (a refresh token is spent by its use; a second use would end the whole login). */
let refreshing = null;
function refresh() {
  if (!refreshing) refreshing = renewTokens().finally(() => (refreshing = null));
  return refreshing;
}

async function renewTokens() {
  const current = session.get();
  if (!current) throw new ApiError(401, "Please log in.");
  try {
    const tokens = await post("/auth/refresh", { refresh_token: current.refresh_token });
    session.set({ ...current, access_token: tokens.access_token, refresh_token: tokens.refresh_token });
  } catch (e) {
    session.clear();
    showLoggedOut();
    throw new ApiError(401, "Your session expired. Please log in again.");
  }
}

/** Calls the API with the access token; refreshes it once if the API says it expired. */
async function api(method, path, body) {
  for (let attempt = 0; ; attempt++) {
    const current = session.get();
    if (!current) throw new ApiError(401, "Please log in.");
    const headers = { authorization: `Bearer ${current.access_token}` };
    if (body !== undefined) headers["content-type"] = "application/json";
    const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    if (response.status === 401 && attempt === 0) {
      await refresh();
      continue;
    }
    if (!response.ok) throw await problem(response);
    return response.status === 204 ? null : response.json();
  }
}

// ---------------------------------------------------------------- messages
function say(message) {
  $("error").hidden = true;
  $("status").textContent = message;
}

function fail(error) {
  $("status").textContent = "";
  $("error").textContent = error instanceof ApiError || error instanceof Error ? error.message : String(error);
  $("error").hidden = false;
}

/** Runs an action from a button or form, reporting its failure on the page. */
function action(fn) {
  return async (event) => {
    if (event) event.preventDefault();
    try {
      await fn(event);
    } catch (e) {
      fail(e);
    }
  };
}

// ---------------------------------------------------------------- sign-in
function credentials() {
  const username = $("auth-username").value.trim();
  const password = $("auth-password").value;
  if (!username || !password) throw new Error("Enter a username and a password.");
  return { username, password };
}

async function logIn(creds) {
  const tokens = await post("/auth/login", creds);
  session.set({ username: creds.username, access_token: tokens.access_token, refresh_token: tokens.refresh_token });
  $("auth-password").value = "";
  await showLoggedIn();
  say(`Logged in as ${creds.username}.`);
}

function showLoggedOut() {
  $("auth").hidden = false;
  $("app").hidden = true;
  $("account").hidden = true;
}

async function showLoggedIn() {
  const me = await api("GET", "/me");
  $("username").textContent = session.get().username;
  $("user-id").textContent = me.username || me.user_id;
  $("auth").hidden = true;
  $("app").hidden = false;
  $("account").hidden = false;
  await refreshLists();
}

/** The usage bar: bytes stored against the quota (pending uploads included), and the file count. */
function showUsage(me) {
  const { usage, quota } = me;
  const bar = $("usage-bar");
  bar.max = quota.bytes ?? Math.max(usage.bytes, 1);
  bar.value = usage.bytes;
  // Warn from 90%: the bar turns to its "high" colour.
  bar.high = bar.max * 0.9;
  const space = quota.bytes === null ? `${formatSize(usage.bytes)} (no limit)` : `${formatSize(usage.bytes)} of ${formatSize(quota.bytes)}`;
  const files = quota.files === null ? `${usage.files} files` : `${usage.files} of ${quota.files} files`;
  $("usage-text").textContent = `${space} · ${files}`;
}

// ---------------------------------------------------------------- listing
function formatSize(bytes) {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`;
}

function element(tag, text, attributes = {}) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  return node;
}

function button(label, accessibleName, onClick) {
  const node = element("button", label, { type: "button", "aria-label": accessibleName });
  node.addEventListener("click", action(onClick));
  return node;
}

async function allFiles(scope) {
  const files = [];
  let cursor = null;
  do {
    const query = new URLSearchParams({ scope, limit: "1000" });
    if (cursor) query.set("cursor", cursor);
    const page = await api("GET", `/files?${query}`);
    files.push(...page.files);
    cursor = page.next_cursor;
  } while (cursor);
  return files;
}

async function download(file) {
  const link = await api("GET", `/files/${file.file_id}/download-url`);
  const anchor = element("a", undefined, { href: link.url, download: file.name });
  document.body.append(anchor);
  anchor.click();
  anchor.remove();
  say(`Downloading ${file.name}…`);
}

function sharingPanel(file) {
  const panel = element("details");
  panel.append(element("summary", "Sharing"));
  const list = element("ul", undefined, { "aria-label": `People ${file.name} is shared with` });
  const form = element("form");
  const inputId = `share-${file.file_id}`;
  const input = element("input", undefined, { id: inputId, required: "", autocomplete: "off", placeholder: "username" });
  form.append(element("label", "Share with", { for: inputId }), input, element("button", "Share", { type: "submit" }));
  const load = async () => {
    const details = await api("GET", `/files/${file.file_id}`);
    list.replaceChildren(
      ...(details.shared_with || []).map((share) => {
        const who = share.username || share.user_id;
        const item = element("li", `${who} `);
        item.append(
          button("Unshare", `Stop sharing ${file.name} with ${who}`, async () => {
            await api("DELETE", `/files/${file.file_id}/share/${encodeURIComponent(share.user_id)}`);
            say(`Stopped sharing ${file.name} with ${who}.`);
            await load();
          }),
        );
        return item;
      }),
    );
  };
  form.addEventListener(
    "submit",
    action(async () => {
      const name = input.value.trim();
      if (!name) throw new Error("Enter the username to share with.");
      const share = await api("POST", `/files/${file.file_id}/share`, { user: name }).catch((e) => {
        throw e.status === 404 ? new Error(`There is no user called ${name}.`) : e;
      });
      input.value = "";
      say(`Shared ${file.name} with ${share.username || name}.`);
      await load();
    }),
  );
  panel.addEventListener("toggle", action(async () => panel.open && load()));
  panel.append(list, form);
  return panel;
}

// Listings hold available files only: pending uploads are never listed.
function ownedRow(file) {
  const row = element("tr");
  const actions = element("td");
  actions.append(
    button("Download", `Download ${file.name}`, () => download(file)),
    button("Delete", `Delete ${file.name}`, async () => {
      if (!window.confirm(`Delete ${file.name}? This cannot be undone.`)) return;
      await api("DELETE", `/files/${file.file_id}`);
      say(`Deleted ${file.name}.`);
      await refreshLists();
    }),
    sharingPanel(file),
    linksPanel(file, { api, element, button, say, action }),
  );
  row.append(
    element("td", file.name, { class: "name" }),
    element("td", formatSize(file.size)),
    element("td", new Date(file.created_at).toLocaleString()),
    actions,
  );
  return row;
}

function sharedRow(file) {
  const row = element("tr");
  const actions = element("td");
  actions.append(button("Download", `Download ${file.name}`, () => download(file)));
  row.append(element("td", file.name, { class: "name" }), element("td", formatSize(file.size)), element("td", file.owner_name || file.owner), actions);
  return row;
}

async function refreshLists() {
  const [owned, shared, me] = await Promise.all([allFiles("owned"), allFiles("shared"), api("GET", "/me")]);
  showUsage(me);
  $("owned").querySelector("tbody").replaceChildren(...owned.map(ownedRow));
  $("shared").querySelector("tbody").replaceChildren(...shared.map(sharedRow));
  $("owned").hidden = owned.length === 0;
  $("shared").hidden = shared.length === 0;
  $("owned-empty").hidden = owned.length > 0;
  $("shared-empty").hidden = shared.length > 0;
}

// ---------------------------------------------------------------- upload
/**
 * PUTs a body with upload progress (fetch cannot report it); resolves with the XHR. A 412 means
 * the bytes are there already (an earlier try landed; an upload URL stores once): a success.
 */
function send(url, headers, body, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("PUT", url);
    for (const [name, value] of Object.entries(headers)) xhr.setRequestHeader(name, value);
    xhr.upload.addEventListener("progress", (e) => onProgress(e.loaded));
    xhr.addEventListener("load", () => {
      if ((xhr.status >= 200 && xhr.status < 300) || (xhr.status === 412 && headers["if-none-match"])) {
        return resolve(xhr);
      }
      const message = /<Message>([^<]*)<\/Message>/.exec(xhr.responseText);
      let detail = message ? message[1] : `HTTP ${xhr.status}`;
      try {
        detail = JSON.parse(xhr.responseText).detail || detail;
      } catch {}
      reject(new ApiError(xhr.status, `Storage refused the upload: ${detail}`));
    });
    xhr.addEventListener("error", () => reject(new ApiError(0, "The upload failed: network error.")));
    xhr.send(body);
  });
}

async function upload(file) {
  const item = element("li");
  const bar = element("progress", undefined, { max: String(file.size || 1), value: "0", "aria-label": `Uploading ${file.name}` });
  const label = element("span", `${file.name}: starting`);
  item.append(bar, label);
  $("uploads").append(item);
  const progress = (sent) => {
    bar.value = sent;
    label.textContent = `${file.name}: ${formatSize(sent)} of ${formatSize(file.size)}`;
  };
  const request = {
    name: file.name,
    size: file.size,
    content_type: file.type || "application/octet-stream",
    multipart: file.size > MULTIPART_THRESHOLD,
  };
  let ticket;
  try {
    ticket = await api("POST", "/files/upload-url", request);
  } catch (e) {
    item.remove(); // refused before any byte was sent (e.g. over quota): nothing to clean up
    throw e;
  }
  try {
    let parts = [];
    if (ticket.upload) {
      await send(ticket.upload.url, ticket.upload.headers, file, progress);
    } else {
      let offset = 0;
      for (const part of ticket.multipart.parts) {
        const start = offset;
        const xhr = await send(part.url, {}, file.slice(start, start + part.size), (sent) => progress(start + sent));
        parts.push({ part_number: part.part_number, etag: xhr.getResponseHeader("etag") });
        offset += part.size;
      }
    }
    await api("POST", `/files/${ticket.file_id}/complete`, { parts });
    item.remove();
    say(`Uploaded ${file.name}.`);
  } catch (e) {
    item.remove();
    await api("DELETE", `/files/${ticket.file_id}`).catch(() => {});
    throw e;
  }
}

async function uploadAll(files) {
  try {
    for (const file of files) await upload(file);
  } finally {
    // What did upload is listed, and the usage bar is right, whatever stopped the rest.
    await refreshLists();
  }
}

// ---------------------------------------------------------------- wiring
document.addEventListener("DOMContentLoaded", () => {
  $("auth-form").addEventListener("submit", action(() => logIn(credentials())));
  $("signup").addEventListener(
    "click",
    action(async () => {
      const creds = credentials();
      await post("/auth/signup", creds);
      await logIn(creds);
    }),
  );
  $("logout").addEventListener(
    "click",
    action(async () => {
      const current = session.get();
      session.clear();
      showLoggedOut();
      // Revoke the refresh token on the server too: a copy of it must not outlive the logout.
      if (current) await post("/auth/logout", { refresh_token: current.refresh_token }).catch(() => {});
      say("Logged out.");
    }),
  );
  $("file-input").addEventListener(
    "change",
    action(async (event) => {
      const files = [...event.target.files];
      event.target.value = "";
      await uploadAll(files);
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
      zone.classList.remove("dragging");
      await uploadAll([...event.dataTransfer.files]);
    }),
  );
  if (session.get()) showLoggedIn().catch(fail);
  else showLoggedOut();
});
