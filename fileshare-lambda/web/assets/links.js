// Share links on the page: make one (expiry, download limit, password) and copy it with one click,
// see how often each was used, revoke one. A link's URL is shown once, when it is made: the service
// keeps only a hash of its secret.

import { api } from "./api.js";
import { action, button, confirmDialog, copyText, disclosure, element, field, toast } from "./ui.js";

const EXPIRY_CHOICES = [
  ["7d", "7 days", 7 * 86400],
  ["1d", "1 day", 86400],
  ["30d", "30 days", 30 * 86400],
  ["never", "Never", 0],
];

/** Makes a link to `file`; resolves to the API's answer (`url` among it). */
export async function createLink(file, { seconds = 7 * 86400, maxDownloads, password } = {}) {
  const body = {};
  if (seconds) body.expires_at = new Date(Date.now() + seconds * 1000).toISOString();
  if (maxDownloads) body.max_downloads = maxDownloads;
  if (password) body.password = password;
  return api("POST", `/files/${file.file_id}/links`, body);
}

/** Copies a new link's URL, saying so (or, where the clipboard is not allowed, how to copy it). */
async function announceCopy(url, input) {
  toast((await copyText(url, input)) ? "Link copied to the clipboard." : "Press Ctrl+C to copy the selected link.");
}

function summary(link) {
  // An unlimited link's downloads are not counted (so that one link can serve a crowd).
  const used = link.max_downloads == null ? "unlimited downloads" : `${link.downloads} of ${link.max_downloads} downloads`;
  const expires = link.expires_at ? `expires ${new Date(link.expires_at).toLocaleString()}` : "never expires";
  return `${used} · ${expires}${link.password_required ? " · password" : ""}`;
}

/** The links panel of one of the owner's files, and the button that opens it. */
export function linksPanel(file) {
  const id = (name) => `${name}-${file.file_id}`;
  const panel = element("section", undefined, { class: "panel", id: id("links"), "aria-label": `Links to ${file.name}`, hidden: "" });
  panel.append(element("h4", "Links"));
  const list = element("ul", undefined, { class: "rows", "aria-label": `Links to ${file.name}` });
  const form = element("form", undefined, { class: "inline-form" });
  const expiry = field("Expires after", "select", { id: id("link-expiry") });
  for (const [value, label] of EXPIRY_CHOICES) expiry.control.append(element("option", label, { value }));
  const limit = field("Download limit (optional)", "input", {
    id: id("link-limit"), type: "number", min: "1", max: "1000000", inputmode: "numeric",
  });
  const password = field("Password (optional)", "input", {
    id: id("link-password"), type: "password", autocomplete: "new-password", minlength: "6",
  });
  form.append(expiry.wrapper, limit.wrapper, password.wrapper, element("button", "Create link", { type: "submit", class: "button primary" }));

  const created = element("div", undefined, { class: "created-link", hidden: "" });
  const urlInput = element("input", undefined, { id: id("link-url"), readonly: "", "aria-label": `New link to ${file.name}` });
  created.append(
    element("p", "Anyone with this link can download the file. It is shown only now:"),
    urlInput,
    button("Copy", `Copy the new link to ${file.name}`, () => announceCopy(urlInput.value, urlInput), "primary"),
  );

  const load = async () => {
    const { links } = await api("GET", `/files/${file.file_id}/links`);
    list.replaceChildren(
      ...links.map((link, n) => {
        const item = element("li");
        item.append(
          element("span", `Link ${n + 1}: ${summary(link)}`),
          button("Revoke", `Revoke link ${n + 1} to ${file.name}`, async () => {
            const sure = await confirmDialog("Revoke this link?", `The link to ${file.name} stops working at once.`, "Revoke");
            if (!sure) return;
            await api("DELETE", `/files/${file.file_id}/links/${encodeURIComponent(link.link_id)}`);
            toast(`Revoked a link to ${file.name}.`);
            await load();
          }, "danger small"),
        );
        return item;
      }),
    );
    if (!links.length) list.append(element("li", "No links yet.", { class: "empty" }));
  };
  form.addEventListener(
    "submit",
    action(async () => {
      const seconds = EXPIRY_CHOICES.find(([value]) => value === expiry.control.value)[2];
      const answer = await createLink(file, {
        seconds,
        maxDownloads: limit.control.value ? Number(limit.control.value) : undefined,
        password: password.control.value || undefined,
      });
      password.control.value = "";
      limit.control.value = "";
      urlInput.value = answer.url;
      created.hidden = false;
      toast(`Created a link to ${file.name}.`);
      await load();
    }),
  );
  panel.append(form, created, list);
  return { panel, toggle: disclosure("Links", `Links to ${file.name}`, panel, load) };
}
