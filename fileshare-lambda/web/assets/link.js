// A share link's page: no account. Reads what the link hands out, asks for its password if it has
// one (sent in a POST body, never in a URL), and downloads through the short-lived URL the link is
// redeemed for. The token is the last part of this page's path; nothing is stored.

import { explain, send } from "./http.js";
import { $, formatSize } from "./ui.js";

const token = decodeURIComponent(location.pathname.split("/").pop() || "");
const dead = "This link does not exist, was revoked, has expired or has no downloads left.";

function show(id, text) {
  $(id).textContent = text;
  $(id).hidden = !text;
}

async function detail(response) {
  return (await explain(response)).words;
}

async function load() {
  const response = await send(`/links/${encodeURIComponent(token)}`);
  show("status", "");
  if (response.status === 404) return show("error", dead);
  if (!response.ok) return show("error", await detail(response));
  const info = await response.json();
  $("file-name").textContent = info.name;
  $("file-size").textContent = formatSize(info.size);
  $("file-expires").textContent = info.expires_at ? new Date(info.expires_at).toLocaleString() : "never";
  $("file-left").textContent = info.downloads_left == null ? "unlimited" : String(info.downloads_left);
  $("password-field").hidden = !info.password_required;
  $("file").hidden = false;
  (info.password_required ? $("link-password") : $("download")).focus();
}

async function redeem(event) {
  event.preventDefault();
  show("error", "");
  const body = $("password-field").hidden ? {} : { password: $("link-password").value };
  const response = await send(`/links/${encodeURIComponent(token)}/redeem`, {
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
