// The page's building blocks: elements made from text only (user data never becomes markup),
// buttons, sizes, toasts for results and errors, and a confirmation dialog for what cannot be undone.

export const $ = (id) => document.getElementById(id);

/** A new element with `text` as its text and `attributes` set. */
export function element(tag, text, attributes = {}) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  return node;
}

/** A button showing `label`, named `accessibleName` for assistive technology, running `onClick`
 * as an {@link action}. `kind`: "primary", "danger" or "" (plain). */
export function button(label, accessibleName, onClick, kind = "") {
  const node = element("button", label, { type: "button", class: `button ${kind}`.trim() });
  if (accessibleName && accessibleName !== label) node.setAttribute("aria-label", accessibleName);
  node.addEventListener("click", action(onClick));
  return node;
}

/** `1.5 MiB`, `0 B`. */
export function formatSize(bytes) {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`;
}

const TOAST_MS = 6000;
const MAX_TOASTS = 4;

/** Shows `message` in a toast: "ok" ones announce politely and go by themselves; "error" ones
 * interrupt (role=alert) and stay until closed. */
export function toast(message, kind = "ok") {
  const shelf = $("toasts");
  const note = element("div", undefined, { class: `toast ${kind}`, role: kind === "error" ? "alert" : "status" });
  note.append(element("p", message));
  const close = element("button", "×", { type: "button", class: "close", "aria-label": "Dismiss" });
  close.addEventListener("click", () => note.remove());
  note.append(close);
  shelf.append(note);
  while (shelf.children.length > MAX_TOASTS) shelf.firstElementChild.remove();
  if (kind !== "error") setTimeout(() => note.remove(), TOAST_MS);
}

/** Takes away error toasts: what they said was acted on (a login that then worked, say). */
export function clearErrors() {
  for (const note of $("toasts").querySelectorAll(".toast.error")) note.remove();
}

/** Reports a failure in a toast. */
export function fail(error) {
  toast(error instanceof Error ? error.message : String(error), "error");
}

/** Runs an event handler, reporting its failure in a toast; the button it came from is disabled
 * meanwhile, so a double click does not do it twice. */
export function action(fn) {
  return async (event) => {
    if (event?.type === "submit") event.preventDefault();
    const source = event?.currentTarget instanceof HTMLButtonElement ? event.currentTarget : null;
    if (source) source.disabled = true;
    try {
      await fn(event);
    } catch (e) {
      fail(e);
    } finally {
      if (source) source.disabled = false;
    }
  };
}

/** Asks before something that cannot be undone; resolves to whether the user confirmed. */
export function confirmDialog(title, message, confirmLabel) {
  const dialog = $("confirm");
  $("confirm-title").textContent = title;
  $("confirm-message").textContent = message;
  $("confirm-ok").textContent = confirmLabel;
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => resolve(dialog.returnValue === "ok"), { once: true });
    dialog.returnValue = "";
    dialog.showModal();
  });
}

/** Copies `text` to the clipboard; where that is not allowed, selects `fallback` for Ctrl+C. */
export async function copyText(text, fallback) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    fallback?.focus();
    fallback?.select();
    return false;
  }
}

/** A `tag` control ("input", "select") with `attributes` (an `id` among them), labelled `label`,
 * in a field wrapper. */
export function field(label, tag, attributes) {
  const wrapper = element("div", undefined, { class: "field" });
  const control = element(tag, undefined, attributes);
  wrapper.append(element("label", label, { for: attributes.id }), control);
  return { wrapper, control };
}

/** A button that shows and hides `panel` (a region below it), running `load` each time it opens. */
export function disclosure(label, accessibleName, panel, load) {
  const node = element("button", label, {
    type: "button", class: "button", "aria-expanded": "false", "aria-controls": panel.id,
  });
  if (accessibleName !== label) node.setAttribute("aria-label", accessibleName);
  node.addEventListener(
    "click",
    action(async () => {
      const opening = panel.hidden;
      panel.hidden = !opening;
      node.setAttribute("aria-expanded", String(opening));
      if (opening) await load();
    }),
  );
  return node;
}
