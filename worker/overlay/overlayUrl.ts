/** `/overlay/{token}`: the page an OBS Browser Source shows (SPEC.md, "HTTP routes"). */
export function buildOverlayUrl(publicBaseUrl: string, token: string): string {
  return `${publicBaseUrl}/overlay/${token}`;
}
