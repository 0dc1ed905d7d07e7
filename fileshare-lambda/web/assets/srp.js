// Cognito's Secure Remote Password login (USER_SRP_AUTH, SRP-6a over the 3072-bit group of RFC 5054):
// the browser proves it knows the password without sending it. The same arithmetic as AWS's own
// browser library (amazon-cognito-identity-js's AuthenticationHelper), on BigInt and WebCrypto;
// the test rig checks it against an independent implementation (pycognito).

const N = BigInt(
  "0xFFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD" +
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED" +
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F" +
    "83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B" +
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510" +
    "15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7" +
    "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C" +
    "BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF",
);
const G = 2n;
const encoder = new TextEncoder();

/** (base ^ exponent) mod N, for a base that may be negative. */
function modPow(base, exponent) {
  let result = 1n;
  base = ((base % N) + N) % N;
  while (exponent > 0n) {
    if (exponent & 1n) result = (result * base) % N;
    base = (base * base) % N;
    exponent >>= 1n;
  }
  return result;
}

/** Hex of a non-negative number, padded as Cognito hashes it: whole bytes, and a leading 00 where
 * the first bit would read as a sign. */
export function padHex(value) {
  let hex = typeof value === "bigint" ? value.toString(16) : value;
  if (hex.length % 2 === 1) hex = `0${hex}`;
  else if ("89abcdefABCDEF".includes(hex[0])) hex = `00${hex}`;
  return hex;
}

function hexToBytes(hex) {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}

function bytesToHex(bytes) {
  return [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

async function sha256Hex(bytes) {
  return bytesToHex(await crypto.subtle.digest("SHA-256", bytes));
}

async function hmac(key, message) {
  const imported = await crypto.subtle.importKey("raw", key, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return new Uint8Array(await crypto.subtle.sign("HMAC", imported, message));
}

/** A fresh secret `a` and the public `A = g^a mod N` (hex) to open a login with. */
export function start(randomBytes = crypto.getRandomValues(new Uint8Array(128))) {
  const a = BigInt(`0x${bytesToHex(randomBytes)}`) % N;
  const A = modPow(G, a);
  if (A === 0n) throw new Error("SRP: A must not be 0 mod N");
  return { a, A: A.toString(16) };
}

/** `Tue Mar 3 07:05:09 UTC 2026`: the timestamp format Cognito signs. */
export function timestamp(date) {
  const day = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"][date.getUTCDay()];
  const month = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"][date.getUTCMonth()];
  const two = (n) => String(n).padStart(2, "0");
  const time = `${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())}`;
  return `${day} ${month} ${date.getUTCDate()} ${time} UTC ${date.getUTCFullYear()}`;
}

/**
 * The answer to Cognito's PASSWORD_VERIFIER challenge: the signature of the secret block with the
 * key only the password and `a` give.
 * @param {{poolId: string, userId: string, password: string, a: bigint, A: string,
 *          B: string, salt: string, secretBlock: string, now: Date}} input
 */
export async function passwordClaim({ poolId, userId, password, a, A, B, salt, secretBlock, now }) {
  const bigA = BigInt(`0x${A}`);
  const bigB = BigInt(`0x${B}`);
  if (bigB % N === 0n) throw new Error("SRP: the server's B must not be 0 mod N");
  const k = BigInt(`0x${await sha256Hex(hexToBytes(padHex(N) + padHex(G)))}`);
  const u = BigInt(`0x${await sha256Hex(hexToBytes(padHex(bigA) + padHex(bigB)))}`);
  if (u === 0n) throw new Error("SRP: u must not be 0");
  const poolName = poolId.split("_")[1];
  const identity = await sha256Hex(encoder.encode(`${poolName}${userId}:${password}`));
  const x = BigInt(`0x${await sha256Hex(hexToBytes(padHex(salt) + identity))}`);
  const S = modPow(bigB - k * modPow(G, x), a + u * x);
  // HKDF-SHA256 (RFC 5869) with the info Cognito uses, one block, 16 bytes.
  const prk = await hmac(hexToBytes(padHex(u)), hexToBytes(padHex(S)));
  const key = (await hmac(prk, encoder.encode("Caldera Derived Key\u0001"))).slice(0, 16);
  const when = timestamp(now);
  const block = Uint8Array.from(atob(secretBlock), (c) => c.charCodeAt(0));
  const message = new Uint8Array([...encoder.encode(poolName + userId), ...block, ...encoder.encode(when)]);
  const signature = btoa(String.fromCharCode(...(await hmac(key, message))));
  return { signature, timestamp: when };
}
