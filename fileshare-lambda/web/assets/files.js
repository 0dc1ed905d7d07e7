// The two listings — my files, and files shared with me — with each file's actions: download, copy a
// link, share with people by name, links, delete (after confirming).

import { api } from "./api.js";
import { createLink, linksPanel } from "./links.js";
import { $, action, button, confirmDialog, copyText, disclosure, element, formatSize, toast } from "./ui.js";

/** Every page of a listing. */
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

/** Starts a download through a short-lived URL (storage sends the file as an attachment). */
async function download(file) {
  const link = await api("GET", `/files/${file.file_id}/download-url`);
  const anchor = element("a", undefined, { href: link.url, download: file.name, hidden: "" });
  document.body.append(anchor);
  anchor.click();
  anchor.remove();
  toast(`Downloading ${file.name}…`);
}

/** Who a file is shared with, a form to share it with someone by name, and the button that opens
 * them. */
function sharingPanel(file) {
  const panel = element("section", undefined, {
    class: "panel", id: `sharing-${file.file_id}`, "aria-label": `Sharing ${file.name}`, hidden: "",
  });
  panel.append(element("h4", "Sharing"));
  const list = element("ul", undefined, { class: "rows", "aria-label": `People ${file.name} is shared with` });
  const form = element("form", undefined, { class: "inline-form" });
  const inputId = `share-${file.file_id}`;
  const input = element("input", undefined, { id: inputId, required: "", autocomplete: "off", placeholder: "username or email" });
  const wrapper = element("div", undefined, { class: "field grow" });
  wrapper.append(element("label", "Share with", { for: inputId }), input);
  form.append(wrapper, element("button", "Share", { type: "submit", class: "button primary" }));
  const row = (share) => {
    const who = share.username || share.user_id;
    const item = element("li");
    item.append(
      element("span", who),
      button("Stop sharing", `Stop sharing ${file.name} with ${who}`, async () => {
        await api("DELETE", `/files/${file.file_id}/share/${encodeURIComponent(share.user_id)}`);
        toast(`Stopped sharing ${file.name} with ${who}.`);
        await load();
      }, "small"),
    );
    return item;
  };
  // The file's view holds the first 100 people; a file shared with more shows the rest on demand,
  // a page at a time.
  let next = null;
  const more = button("Show more", `Show more people ${file.name} is shared with`, async () => {
    const page = await api("GET", `/files/${file.file_id}/shares?cursor=${encodeURIComponent(next)}`);
    list.append(...page.shares.map(row));
    next = page.next_cursor;
    more.hidden = !next;
  }, "small");
  const load = async () => {
    const details = await api("GET", `/files/${file.file_id}`);
    const shares = details.shared_with || [];
    list.replaceChildren(...shares.map(row));
    if (!shares.length) list.append(element("li", "Not shared with anyone.", { class: "empty" }));
    next = details.shares_next_cursor;
    more.hidden = !next;
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
      toast(`Shared ${file.name} with ${share.username || name}.`);
      await load();
    }),
  );
  more.hidden = true;
  panel.append(form, list, more);
  return { panel, toggle: disclosure("Share", `Share ${file.name}`, panel, load) };
}

function when(timestamp) {
  return new Date(timestamp).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

/** One file in a listing: its name, facts and actions. */
function fileItem(file, facts, actions, panels = []) {
  const item = element("li", undefined, { class: "file" });
  const head = element("div", undefined, { class: "file-head" });
  const text = element("div", undefined, { class: "file-text" });
  text.append(element("h3", file.name, { class: "file-name" }), element("p", facts, { class: "meta" }));
  const tools = element("div", undefined, { class: "actions", role: "group", "aria-label": `Actions for ${file.name}` });
  tools.append(...actions);
  head.append(text, tools);
  item.append(head, ...panels);
  return item;
}

function ownedItem(file, changed) {
  const sharing = sharingPanel(file);
  const links = linksPanel(file);
  return fileItem(
    file,
    `${formatSize(file.size)} · uploaded ${when(file.created_at)}`,
    [
      button("Download", `Download ${file.name}`, () => download(file), "primary"),
      button("Copy link", `Copy link to ${file.name}`, async () => {
        const created = await createLink(file);
        // Where the clipboard refuses (the click was a while ago), the link is shown to copy by hand.
        if (!(await copyText(created.url))) toast(`Copy this link to ${file.name}, which lasts 7 days: ${created.url}`);
        else toast("Link copied to the clipboard.");
      }),
      sharing.toggle,
      links.toggle,
      button("Delete", `Delete ${file.name}`, async () => {
        const sure = await confirmDialog(`Delete ${file.name}?`, "The file, its shares and its links are gone for good.", "Delete");
        if (!sure) return;
        await api("DELETE", `/files/${file.file_id}`);
        toast(`Deleted ${file.name}.`);
        await changed();
      }, "danger"),
    ],
    [sharing.panel, links.panel],
  );
}

function sharedItem(file) {
  const from = file.owner_name || file.owner;
  return fileItem(file, `${formatSize(file.size)} · from ${from}`, [
    button("Download", `Download ${file.name}`, () => download(file), "primary"),
  ]);
}

/** Lists both scopes again; `changed` is what a deletion calls. */
export async function showFiles(changed) {
  const [owned, shared] = await Promise.all([allFiles("owned"), allFiles("shared")]);
  $("owned").replaceChildren(...owned.map((file) => ownedItem(file, changed)));
  $("shared").replaceChildren(...shared.map(sharedItem));
  $("owned-empty").hidden = owned.length > 0;
  $("shared-empty").hidden = shared.length > 0;
  $("owned-count").textContent = owned.length ? `(${owned.length})` : "";
  $("shared-count").textContent = shared.length ? `(${shared.length})` : "";
}
