// The owner's share links of one file, on the web page: make one (expiry, download limit,
// password), copy it with one click, see how often each was used, revoke it. Loaded before app.js,
// which calls linksPanel() with its helpers; user data is only ever inserted as text.
"use strict";

const EXPIRY_CHOICES = [
  ["never", "Never expires", 0],
  ["1d", "1 day", 86400],
  ["7d", "7 days", 7 * 86400],
  ["30d", "30 days", 30 * 86400],
];

/** Copies `text`; falls back to selecting `input` when the clipboard is not allowed. */
async function copyText(text, input) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    input.focus();
    input.select();
    return false;
  }
}

function linkSummary(link) {
  const used = link.max_downloads == null ? `${link.downloads} downloads` : `${link.downloads}/${link.max_downloads} downloads`;
  const expires = link.expires_at ? `expires ${new Date(link.expires_at).toLocaleString()}` : "never expires";
  return `${used}, ${expires}${link.password_required ? ", password" : ""}`;
}

// eslint-disable-next-line no-unused-vars -- called from app.js
function linksPanel(file, { api, element, button, say, action }) {
  const panel = element("details");
  panel.append(element("summary", "Links"));
  const id = (name) => `${name}-${file.file_id}`;
  const list = element("ul", undefined, { "aria-label": `Links to ${file.name}` });
  const form = element("form", undefined, { class: "link-form" });
  const expiry = element("select", undefined, { id: id("link-expiry") });
  for (const [value, label] of EXPIRY_CHOICES) expiry.append(element("option", label, { value }));
  const limit = element("input", undefined, { id: id("link-limit"), type: "number", min: "1", max: "1000000", inputmode: "numeric" });
  const password = element("input", undefined, { id: id("link-password"), type: "password", autocomplete: "new-password", minlength: "6" });
  form.append(
    element("label", "Expires", { for: id("link-expiry") }), expiry,
    element("label", "Download limit (optional)", { for: id("link-limit") }), limit,
    element("label", "Password (optional)", { for: id("link-password") }), password,
    element("button", "Create link", { type: "submit" }),
  );
  const created = element("div", undefined, { class: "created-link", hidden: "" });
  const urlInput = element("input", undefined, { id: id("link-url"), readonly: "", "aria-label": `New link to ${file.name}` });
  created.append(
    element("p", "Anyone with this link can download the file. It is shown only now:"),
    urlInput,
    button("Copy link", `Copy the new link to ${file.name}`, async () => {
      const copied = await copyText(urlInput.value, urlInput);
      say(copied ? "Link copied." : "Press Ctrl+C to copy the selected link.");
    }),
  );

  const load = async () => {
    const { links } = await api("GET", `/files/${file.file_id}/links`);
    list.replaceChildren(
      ...links.map((link, n) => {
        const item = element("li", `Link ${n + 1}: ${linkSummary(link)} `);
        item.append(
          button("Revoke", `Revoke link ${n + 1} to ${file.name}`, async () => {
            if (!window.confirm(`Revoke this link to ${file.name}? It stops working at once.`)) return;
            await api("DELETE", `/files/${file.file_id}/links/${encodeURIComponent(link.link_id)}`);
            say(`Revoked a link to ${file.name}.`);
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
      const seconds = EXPIRY_CHOICES.find(([value]) => value === expiry.value)[2];
      const body = {};
      if (seconds) body.expires_at = new Date(Date.now() + seconds * 1000).toISOString();
      if (limit.value) body.max_downloads = Number(limit.value);
      if (password.value) body.password = password.value;
      const answer = await api("POST", `/files/${file.file_id}/links`, body);
      password.value = "";
      limit.value = "";
      urlInput.value = answer.url;
      created.hidden = false;
      say(`Created a link to ${file.name}.`);
      await load();
    }),
  );
  panel.addEventListener("toggle", action(async () => panel.open && load()));
  panel.append(list, form, created);
  return panel;
}
