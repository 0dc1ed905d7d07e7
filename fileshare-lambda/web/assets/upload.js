// Uploads, straight to storage through the URLs the API signs: a small file in one PUT, a large one
// in parts, a few at a time, each part tried again after a failure. One progress bar per file, and
// a Cancel button that stops every transfer and discards the upload.

import { api, ApiError } from "./api.js";
import { $, element, formatSize, toast } from "./ui.js";

/** Files from this size on go in parts. */
export const MULTIPART_THRESHOLD = 16 * 1024 * 1024;
/** Parts in flight at once: enough to fill a link, few enough not to starve the page. */
const PARALLEL_PARTS = 4;
/** Tries per part before the upload gives up. */
const PART_TRIES = 3;

class Cancelled extends Error {
  constructor() {
    super("Upload cancelled.");
  }
}

/** One file's upload and its line in the list of uploads. */
class Upload {
  constructor(file) {
    this.file = file;
    this.requests = new Set();
    this.cancelled = false;
    this.sent = new Map(); // bytes sent so far, per part (or 0 for a single PUT)
    this.item = element("li", undefined, { class: "upload" });
    this.bar = element("progress", undefined, { max: String(file.size || 1), value: "0", "aria-label": `Uploading ${file.name}` });
    this.label = element("span", `${file.name}: starting`, { class: "upload-status" });
    this.cancelButton = element("button", "Cancel", { type: "button", class: "button small", "aria-label": `Cancel uploading ${file.name}` });
    this.cancelButton.addEventListener("click", () => this.cancel());
    this.item.append(element("span", file.name, { class: "upload-name" }), this.bar, this.label, this.cancelButton);
  }

  progress(part, bytes) {
    this.sent.set(part, bytes);
    const total = [...this.sent.values()].reduce((a, b) => a + b, 0);
    this.bar.value = total;
    const percent = this.file.size ? Math.floor((100 * total) / this.file.size) : 100;
    this.label.textContent = `${formatSize(total)} of ${formatSize(this.file.size)} (${percent}%)`;
  }

  cancel() {
    this.cancelled = true;
    for (const request of this.requests) request.abort();
  }

  /** PUTs `body` to a signed URL, reporting progress (fetch cannot): resolves with the request. A
   * 412 to a conditional PUT means the bytes are there already (an earlier try landed). */
  put(url, headers, body, part) {
    if (this.cancelled) return Promise.reject(new Cancelled());
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      this.requests.add(xhr);
      xhr.open("PUT", url);
      for (const [name, value] of Object.entries(headers)) xhr.setRequestHeader(name, value);
      xhr.upload.addEventListener("progress", (e) => this.progress(part, e.loaded));
      xhr.addEventListener("loadend", () => this.requests.delete(xhr));
      xhr.addEventListener("abort", () => reject(new Cancelled()));
      xhr.addEventListener("error", () => reject(new ApiError(0, "The upload failed: network error.")));
      xhr.addEventListener("load", () => {
        if ((xhr.status >= 200 && xhr.status < 300) || (xhr.status === 412 && headers["if-none-match"])) {
          this.progress(part, body.size);
          return resolve(xhr);
        }
        const message = /<Message>([^<]*)<\/Message>/.exec(xhr.responseText);
        reject(new ApiError(xhr.status, `Storage refused the upload: ${message ? message[1] : `HTTP ${xhr.status}`}`));
      });
      xhr.send(body);
    });
  }

  /** One part, tried up to PART_TRIES times with a growing pause. */
  async sendPart(part, offset) {
    for (let attempt = 1; ; attempt++) {
      try {
        const xhr = await this.put(part.url, {}, this.file.slice(offset, offset + part.size), part.part_number);
        return { part_number: part.part_number, etag: xhr.getResponseHeader("etag") };
      } catch (e) {
        if (e instanceof Cancelled || attempt >= PART_TRIES) throw e;
        this.progress(part.part_number, 0);
        this.label.textContent = `Part ${part.part_number} failed; trying again`;
        await new Promise((resolve) => setTimeout(resolve, 1000 * attempt));
      }
    }
  }

  /** Every part, PARALLEL_PARTS at a time; the ETags in part order. */
  async sendParts(parts) {
    const offsets = [];
    parts.reduce((offset, part) => (offsets.push(offset), offset + part.size), 0);
    const done = new Array(parts.length);
    let next = 0;
    const worker = async () => {
      while (next < parts.length) {
        const i = next++;
        done[i] = await this.sendPart(parts[i], offsets[i]);
      }
    };
    await Promise.all(Array.from({ length: Math.min(PARALLEL_PARTS, parts.length) }, worker));
    return done;
  }

  async run() {
    const request = {
      name: this.file.name,
      size: this.file.size,
      content_type: this.file.type || "application/octet-stream",
      multipart: this.file.size >= MULTIPART_THRESHOLD,
    };
    // Refused here (over quota, too large), nothing was sent and nothing needs cleaning up.
    const ticket = await api("POST", "/files/upload-url", request);
    try {
      let parts = [];
      if (ticket.upload) {
        await this.put(ticket.upload.url, ticket.upload.headers, this.file, 0);
      } else {
        parts = await this.sendParts(ticket.multipart.parts);
      }
      if (this.cancelled) throw new Cancelled();
      // Past the point of no return: completing stores the file, cancelled or not.
      this.cancelButton.disabled = true;
      this.label.textContent = "Finishing…";
      await api("POST", `/files/${ticket.file_id}/complete`, { parts });
    } catch (e) {
      this.cancel();
      // Discards the pending upload: its space comes back, its bytes and parts go.
      await api("DELETE", `/files/${ticket.file_id}`).catch(() => {});
      throw e;
    }
  }
}

/** The uploads under way, to cancel at logout. */
const active = new Set();

/** Cancels every upload under way (at logout: nothing goes on in a session that ended). */
export function cancelAll() {
  for (const upload of active) upload.cancel();
}

/** Uploads `files` one after another, each with its line in the list; `changed` runs after each
 * (the listing and the usage). Failures are reported in toasts; the other files still go. */
export async function uploadAll(files, changed) {
  for (const file of files) {
    const upload = new Upload(file);
    active.add(upload);
    $("uploads").append(upload.item);
    try {
      await upload.run();
      toast(`Uploaded ${file.name}.`);
    } catch (e) {
      toast(e instanceof Cancelled ? `Cancelled uploading ${file.name}.` : e.message, e instanceof Cancelled ? "ok" : "error");
    } finally {
      active.delete(upload);
      upload.item.remove();
      // After a logout there is nothing to show (and no session to ask with).
      if (!$("app").hidden) await changed();
    }
  }
}
