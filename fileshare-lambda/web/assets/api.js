// The API from the page. Where tokens live, and why:
// - the access token (minutes) in this module's memory only: never in Web Storage, gone with the tab;
// - the refresh token (days) in an HttpOnly, SameSite=Strict cookie the API sets (`startSession`,
//   right after a login), which no script can read — so a script injected into the page could use
//   the session while the page is open, but not carry it away.
// A reload, an expiry or a 401 costs one POST /auth/refresh, answered from that cookie. (Web Storage
// holds one flag, no secret: whether this browser had a session, so a first visit asks nothing.)

import { explain, send } from "./http.js";
import { formatSize } from "./ui.js";

/** What the server said about this deployment (a <meta> tag it fills in at run time). */
export const config = JSON.parse(document.querySelector('meta[name="fileshare-config"]').content);

/** A refusal explained by the API's problem document, or by storage's reply. */
export class ApiError extends Error {
  constructor(status, detail, type) {
    super(detail);
    this.status = status;
    this.type = type || "";
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

/** The error a failed response carries: the problem document's words (over quota, in words of its
 * own), API Gateway's, or storage's. */
export async function problem(response) {
  const { words, body } = await explain(response);
  return new ApiError(response.status, (body && overQuota(body)) || words, body?.type);
}

const url = (path) => `${config.api_url}${path}`;

/** A JSON POST without the access token (the session routes, the built-in provider's). */
export async function post(path, body) {
  const response = await send(url(path), {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
    credentials: "same-origin",
  });
  if (!response.ok) throw await problem(response);
  return response.status === 204 ? null : response.json();
}

const HAD_SESSION = "fileshare.had-session";
let accessToken = null;
let expiresAt = 0;
/** Called when the session ends (expired, revoked, logged out elsewhere). */
let signedOut = () => {};

export function onSignedOut(callback) {
  signedOut = callback;
}

function keep(tokens) {
  accessToken = tokens.access_token;
  // A minute's margin: a token about to expire is renewed before it is refused.
  expiresAt = Date.now() + (tokens.expires_in - 60) * 1000;
}

/** Starts a session with a fresh login's tokens: the access token stays here, the refresh token
 * goes to the API's cookie at once and is forgotten. */
export async function startSession(tokens) {
  await post("/auth/session", { refresh_token: tokens.refresh_token });
  localStorage.setItem(HAD_SESSION, "1");
  keep(tokens);
}

/** One refresh at a time: requests that find the token expired together all wait for this one. */
let refreshing = null;

/** Renews the access token from the session cookie; `false` if there is no live session. */
export function resumeSession() {
  if (!localStorage.getItem(HAD_SESSION)) return Promise.resolve(false);
  refreshing ??= post("/auth/refresh", {})
    .then((tokens) => {
      keep(tokens);
      return true;
    })
    .catch((e) => {
      accessToken = null;
      if (e.status === 401) {
        localStorage.removeItem(HAD_SESSION);
        return false;
      }
      throw e;
    })
    .finally(() => (refreshing = null));
  return refreshing;
}

/** Ends the session: the API revokes the refresh token and clears its cookie. */
export async function endSession() {
  accessToken = null;
  localStorage.removeItem(HAD_SESSION);
  await post("/auth/logout", {});
}

/** Calls the API with the access token, renewing it first if it has expired, and once more if
 * the API refuses it. */
export async function api(method, path, body) {
  for (let attempt = 0; ; attempt++) {
    if (!accessToken || Date.now() > expiresAt) {
      if (!(await resumeSession())) {
        signedOut();
        throw new ApiError(401, "Your session has ended. Please log in again.");
      }
    }
    const headers = { authorization: `Bearer ${accessToken}` };
    if (body !== undefined) headers["content-type"] = "application/json";
    const response = await send(url(path), { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    if (response.status === 401 && attempt === 0) {
      accessToken = null;
      continue;
    }
    if (!response.ok) throw await problem(response);
    return response.status === 204 ? null : response.json();
  }
}
