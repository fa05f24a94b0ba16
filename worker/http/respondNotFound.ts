import { HttpError } from "../errors";
import { translate } from "../i18n/translate";
import { renderMessagePage, resolveBrowserLocale } from "./renderMessagePage";

/**
 * The answer for a path LiveLoot does not serve: a localized HTML page for a browser, the
 * JSON error `{ "error": "Not found." }` for everything else (API clients, curl, fetch).
 */
export function respondNotFound(request: Request): Response {
  if (!acceptsHtml(request.headers.get("accept"))) {
    const response = new HttpError(404, "Not found.").toResponse();
    response.headers.set("vary", "Accept");
    return response;
  }
  const locale = resolveBrowserLocale(request.headers.get("accept-language"));
  const response = renderMessagePage({
    locale,
    title: translate(locale, "notFoundTitle"),
    message: translate(locale, "notFoundBody"),
    status: 404,
    success: false,
    link: { href: "/", label: translate(locale, "notFoundHomeLink") },
  });
  response.headers.set("vary", "Accept, Accept-Language");
  return response;
}

/**
 * True when the Accept header names text/html (as browsers' navigations do) and does not
 * weigh application/json higher. A wildcard alone does not count: that is how API clients ask.
 */
export function acceptsHtml(accept: string | null): boolean {
  const weights = new Map<string, number>();
  for (const entry of accept?.split(",") ?? []) {
    const [mediaRange = "", ...parameters] = entry.trim().toLowerCase().split(";");
    const weightParameter = parameters
      .map((parameter) => parameter.trim())
      .find((parameter) => parameter.startsWith("q="));
    const weight = weightParameter ? Number(weightParameter.slice(2)) : 1;
    weights.set(mediaRange.trim(), Number.isFinite(weight) ? weight : 0);
  }
  const html = weights.get("text/html") ?? 0;
  return html > 0 && html >= (weights.get("application/json") ?? 0);
}
