/** A cookie as the browser keeps it, with the attributes the Worker gave it. */
export interface StoredCookie {
  name: string;
  value: string;
  path: string;
  /** Milliseconds since the epoch; undefined for a session cookie. */
  expiresAt?: number;
  secure: boolean;
  httpOnly: boolean;
  sameSite?: string;
}

/**
 * One browser's cookie jar in front of the Worker: what it is given by Set-Cookie it sends back as
 * a browser would (RFC 6265: the same name and path replace a cookie, Max-Age ≤ 0 removes it, a path
 * matches itself and what lies under it, Secure only over https). Two TestBrowsers are two people's
 * browsers; an OAuth flow started in one and finished in the other is what a phishing link does.
 * `transport` reaches the Worker: plain fetch (redirects not followed) against a running dev stack,
 * or the Worker's own handler in workerd (openWorkerBrowser in test/support/worker/fakes.ts).
 */
export class TestBrowser {
  private cookies: StoredCookie[] = [];

  constructor(
    private readonly transport: (request: Request) => Promise<Response> = (request) =>
      fetch(request, { redirect: "manual" }),
  ) {}

  /** Sends `request` with this browser's cookies for its URL and keeps what the answer sets. */
  async send(request: Request): Promise<Response> {
    const headers = new Headers(request.headers);
    const cookie = this.readCookieHeader(request.url);
    if (cookie) headers.set("cookie", cookie);
    const response = await this.transport(new Request(request, { headers }));
    for (const line of response.headers.getSetCookie()) this.store(line);
    return response;
  }

  /** Opens `url` as a browser tab does (GET, asking for HTML). */
  open(url: string | URL, options: { acceptLanguage?: string } = {}): Promise<Response> {
    const headers = {
      accept: "text/html,application/xhtml+xml",
      "accept-language": options.acceptLanguage ?? "en-US,en;q=0.9",
    };
    return this.send(new Request(url, { headers }));
  }

  /** The cookies this browser holds now (expired ones dropped). */
  listCookies(): StoredCookie[] {
    const now = Date.now();
    this.cookies = this.cookies.filter((cookie) => cookie.expiresAt === undefined || cookie.expiresAt > now);
    return [...this.cookies];
  }

  /** The Cookie header this browser sends to `url`, or undefined when it sends none. */
  readCookieHeader(url: string | URL): string | undefined {
    const target = new URL(url);
    const matching = this.listCookies().filter(
      (cookie) => matchesPath(target.pathname, cookie.path) && (!cookie.secure || target.protocol === "https:"),
    );
    return matching.length > 0 ? matching.map((cookie) => `${cookie.name}=${cookie.value}`).join("; ") : undefined;
  }

  private store(line: string): void {
    const [pair = "", ...attributes] = line.split(";");
    const separator = pair.indexOf("=");
    if (separator <= 0) return;
    const cookie: StoredCookie = {
      name: pair.slice(0, separator).trim(),
      value: pair.slice(separator + 1).trim(),
      path: "/",
      secure: false,
      httpOnly: false,
    };
    for (const attribute of attributes) {
      const [key = "", value = ""] = attribute.split("=").map((part) => part.trim());
      const lower = key.toLowerCase();
      if (lower === "path" && value.startsWith("/")) cookie.path = value;
      else if (lower === "max-age") cookie.expiresAt = Date.now() + Number(value) * 1000;
      else if (lower === "secure") cookie.secure = true;
      else if (lower === "httponly") cookie.httpOnly = true;
      else if (lower === "samesite") cookie.sameSite = value;
    }
    this.cookies = this.cookies.filter((kept) => kept.name !== cookie.name || kept.path !== cookie.path);
    if (cookie.expiresAt === undefined || cookie.expiresAt > Date.now()) this.cookies.push(cookie);
  }
}

/** RFC 6265 §5.1.4: a cookie path matches itself and the paths under it. */
function matchesPath(requestPath: string, cookiePath: string): boolean {
  if (requestPath === cookiePath) return true;
  if (!requestPath.startsWith(cookiePath)) return false;
  return cookiePath.endsWith("/") || requestPath.charAt(cookiePath.length) === "/";
}
