/** `/overlay/{token}`: the page an OBS Browser Source shows (docs/contract.md, "HTTP routes"). */
export function buildOverlayUrl(publicBaseUrl: string, token: string): string {
  return `${publicBaseUrl}/overlay/${token}`;
}

/** A request path as logs may show it: an overlay token is a secret, so it never reaches a log line. */
export function redactOverlayToken(path: string): string {
  return path.replace(/^\/overlay\/[^/]+/, "/overlay/[token]");
}
