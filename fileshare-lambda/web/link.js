// A share link's page: no account. Reads what the link hands out, asks for its password if it has
// one (sent in a POST body, never in a URL), and downloads through the short-lived URL the link is
// redeemed for. The token is the last part of this page's path; nothing is stored.
"use strict";

const $ = (id) => document.getElementById(id);
const token = decodeURIComponent(location.pathname.split("/").pop() || "");

function show(id, text) {
  const el = $(id);
  el.textContent = text;
  el.hidden = !text;
}

function size(bytes) {
  const units = ["bytes", "KiB", "MiB", "GiB", "TiB"];
  let n = bytes, i = 0;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return i === 0 ? `${n} bytes` : `${n.toFixed(1)} ${units[i]}`;
}

async function detail(response) {
  try {
    const body = await response.json();
    return body.detail || body.title;
  } catch {
    return `HTTP ${response.status}`;
  }
}

const dead = "This link does not exist, was revoked, has expired or has no downloads left.";

async function load() {
  const response = await fetch(`/links/${encodeURIComponent(token)}`);
  show("status", "");
  if (response.status === 404) return show("error", dead);
  if (!response.ok) return show("error", await detail(response));
  const info = await response.json();
  $("file-name").textContent = info.name;
  $("file-size").textContent = size(info.size);
  $("file-expires").textContent = info.expires_at ? new Date(info.expires_at).toLocaleString() : "never";
  $("file-left").textContent = info.downloads_left == null ? "unlimited" : String(info.downloads_left);
  $("password-field").hidden = !info.password_required;
  $("file").hidden = false;
  (info.password_required ? $("link-password") : $("download")).focus();
}

async function redeem(event) {
  event.preventDefault();
  show("error", "");
  const password = $("link-password").value;
  const body = $("password-field").hidden ? {} : { password };
  const response = await fetch(`/links/${encodeURIComponent(token)}/redeem`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (response.status === 404) return show("error", dead);
  if (response.status === 403) {
    $("link-password").focus();
    return show("error", "That password is not right.");
  }
  if (!response.ok) return show("error", await detail(response));
  const { url } = await response.json();
  show("status", "Downloading…");
  location.assign(url);
}

$("redeem-form").addEventListener("submit", (e) => redeem(e).catch((err) => show("error", err.message)));
load().catch((err) => show("error", err.message));
