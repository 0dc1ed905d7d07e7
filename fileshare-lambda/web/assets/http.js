// Talking to the API over a gateway: on AWS, API Gateway answers some requests itself — throttled
// (429, with no Retry-After), too large (413), timed out (503) — with `{"message": "…"}` instead of
// a problem document. Both pages (the app and a share link's) send through `send`, which tries a
// throttled request again after a growing pause, and explain refusals with `explain`, in words.

/** What API Gateway's own answers mean. */
const GATEWAY_WORDS = {
  429: "The service is busy right now. Try again in a moment.",
  413: "That request is larger than the service accepts.",
  401: "Your session has ended. Please log in again.",
  404: "The service has no such page.",
  502: "The service did not answer in time. Try again.",
  503: "The service did not answer in time. Try again.",
  504: "The service did not answer in time. Try again.",
};

/** A wait in words: `30 seconds`, `15 minutes`. */
function inWords(seconds) {
  return seconds < 90 ? `${seconds} seconds` : `${Math.ceil(seconds / 60)} minutes`;
}

/** How long to wait before sending a request again, or `null`: a throttled request (429, never
 * processed) whatever its method, unless the service asked for a long wait (it is rationing
 * someone, and says so); a read a gateway failed or timed out on. The pause grows, with jitter,
 * as AWS asks of its clients. */
function pauseBeforeRetry(response, method, attempt) {
  if (attempt >= 3) return null;
  const retriable = response.status === 429 || (method === "GET" && [502, 503, 504].includes(response.status));
  if (!retriable) return null;
  const asked = Number(response.headers.get("retry-after"));
  if (asked > 5) return null;
  return asked > 0 ? asked * 1000 : 250 * 2 ** attempt * (0.5 + Math.random() / 2);
}

/** `fetch`, sent again while a gateway throttles it. */
export async function send(url, init = {}) {
  const method = init.method || "GET";
  for (let attempt = 0; ; attempt++) {
    const response = await fetch(url, init);
    const pause = pauseBeforeRetry(response, method, attempt);
    if (pause === null) return response;
    await new Promise((done) => setTimeout(done, pause));
  }
}

/** A refused response in words: `{ words, body }` — `body` the parsed problem document (or the
 * gateway's JSON), `null` for anything else (S3's XML, an HTML error page). */
export async function explain(response) {
  const text = await response.text();
  let body = null;
  let words;
  try {
    body = JSON.parse(text);
    const gateway = body.status === undefined && typeof body.message === "string";
    words = gateway ? GATEWAY_WORDS[response.status] || body.message : body.detail || body.title;
  } catch {
    words = /<Message>([^<]*)<\/Message>/.exec(text)?.[1];
  }
  words ||= `HTTP ${response.status}`;
  const wait = Number(response.headers.get("retry-after"));
  if (response.status === 429 && wait > 0) words = `${words.replace(/\.?$/, ".")} Try again in ${inWords(wait)}.`;
  return { words, body };
}
