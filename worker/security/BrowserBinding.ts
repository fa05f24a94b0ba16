import { encodeBase64Url } from "./base64";

/**
 * Binds an OAuth state to the browser that started the flow, so an authorize URL copied out of one
 * browser and completed in another (a phished streamer, a viewer sent someone's sign-in) is refused:
 * the page that starts the flow sets a cookie holding a random nonce, the signed state names the
 * nonce's SHA-256 digest, and the callback accepts the state only from a browser whose cookie hashes
 * to it. Each flow (the Twitch link, the claim sign-in, a later Kick link) has its cookie prefix and
 * callback path; every flow instance has its own cookie, named after its digest, so two tabs of one
 * browser (two servers being linked, two claims) never overwrite each other's. A cookie scoped to a
 * callback never reaches the page that set it, so a browser-wide nonce could not be reused anyway.
 */
export interface BrowserBoundFlow {
  /** The start of the cookie's name; the first 16 characters of the digest follow. */
  cookiePrefix: string;
  /** The flow's OAuth callback: the only path the browser sends the cookie to. */
  callbackPath: string;
}

/** A new binding: `nonce` goes into the cookie only, `digest` into the signed state (and the database). */
export interface BrowserBinding {
  nonce: string;
  digest: string;
}

const digestPattern = /^[A-Za-z0-9_-]{43}$/;
const noncePattern = /^[A-Za-z0-9_-]{43}$/;

/** A fresh 256-bit nonce and its digest. */
export async function createBrowserBinding(): Promise<BrowserBinding> {
  const nonce = encodeBase64Url(crypto.getRandomValues(new Uint8Array(32)));
  return { nonce, digest: await digestBrowserNonce(nonce) };
}

/**
 * The Set-Cookie value that hands the binding to the browser: HttpOnly (no script reads it),
 * SameSite=Lax (sent on the top-level redirect back from Twitch, never on cross-site subrequests),
 * Secure when the Worker's public origin is https, and scoped to `path` (the flow's callback unless
 * given: a page that must recognise the browser again, such as the link page, passes its own path).
 */
export function buildBindingCookie(
  flow: BrowserBoundFlow,
  binding: BrowserBinding,
  options: { publicBaseUrl: string; maxAgeSeconds: number; path?: string },
): string {
  const attributes = [
    `${readCookieName(flow, binding.digest)}=${binding.nonce}`,
    `Max-Age=${Math.max(1, Math.ceil(options.maxAgeSeconds))}`,
    `Path=${options.path ?? flow.callbackPath}`,
    "HttpOnly",
    "SameSite=Lax",
  ];
  if (options.publicBaseUrl.startsWith("https:")) attributes.push("Secure");
  return attributes.join("; ");
}

/**
 * True when the request carries this flow's cookie for `digest` and the cookie's nonce hashes to it
 * (compared in constant time). A missing, malformed or foreign cookie is false.
 */
export async function isBoundBrowser(request: Request, flow: BrowserBoundFlow, digest: string): Promise<boolean> {
  if (!digestPattern.test(digest)) return false;
  const nonce = readCookie(request.headers.get("cookie"), readCookieName(flow, digest));
  if (!nonce || !noncePattern.test(nonce)) return false;
  return isSameText(await digestBrowserNonce(nonce), digest);
}

/** Constant time for equal lengths (both are 43-character digests here). */
function isSameText(left: string, right: string): boolean {
  if (left.length !== right.length) return false;
  let difference = 0;
  for (let index = 0; index < left.length; index += 1) difference |= left.charCodeAt(index) ^ right.charCodeAt(index);
  return difference === 0;
}

/** base64url(SHA-256(nonce)): what a state or a row may hold without letting anyone act as the browser. */
async function digestBrowserNonce(nonce: string): Promise<string> {
  return encodeBase64Url(new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(nonce))));
}

function readCookieName(flow: BrowserBoundFlow, digest: string): string {
  return `${flow.cookiePrefix}${digest.slice(0, 16)}`;
}

function readCookie(header: string | null, name: string): string | undefined {
  for (const pair of header?.split(";") ?? []) {
    const separator = pair.indexOf("=");
    if (separator > 0 && pair.slice(0, separator).trim() === name) return pair.slice(separator + 1).trim();
  }
  return undefined;
}
