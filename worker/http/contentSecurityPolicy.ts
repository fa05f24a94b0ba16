/**
 * The Content-Security-Policy of an HTML page. Whatever a page loads, every page is never framed
 * (`frame-ancestors 'none'`: no other site can overlay it to steer a click, such as the link
 * page's "Continue to Twitch"), has no `<base>` to redirect its relative links (`base-uri 'none'`)
 * and submits forms nowhere but `formAction` (none by default: no page of ours has a form).
 */
export function buildContentSecurityPolicy(
  sources: {
    defaultSource?: string;
    script?: string;
    connect?: string;
    style?: string;
    image?: string;
    formAction?: string;
  } = {},
): string {
  return [
    `default-src ${sources.defaultSource ?? "'none'"}`,
    sources.script ? `script-src ${sources.script}` : undefined,
    sources.connect ? `connect-src ${sources.connect}` : undefined,
    `style-src ${sources.style ?? "'unsafe-inline'"}`,
    sources.image ? `img-src ${sources.image}` : undefined,
    `base-uri 'none'`,
    `form-action ${sources.formAction ?? "'none'"}`,
    `frame-ancestors 'none'`,
  ]
    .filter((directive) => directive !== undefined)
    .join("; ");
}
