import type { FailureRule } from "../shared/controlSchemas";
import type { FakeRequest } from "../shared/FakeRequest";
import { createJsonResponse, type FakeResponse } from "../shared/FakeResponse";
import { createRateLimitedHeaders } from "./DiscordRateLimiter";

const defaultBodies: Record<number, { message: string; code: number }> = {
  400: { message: "400: Bad Request", code: 0 },
  401: { message: "401: Unauthorized", code: 0 },
  403: { message: "Missing Access", code: 50001 },
  404: { message: "404: Not Found", code: 0 },
  405: { message: "405: Method Not Allowed", code: 0 },
  500: { message: "500: Internal Server Error", code: 0 },
  502: { message: "502: Bad Gateway", code: 0 },
  503: { message: "503: Service Unavailable", code: 0 },
};

/**
 * An injected failure in Discord's shapes; a 429 carries `retry_after`, `Retry-After` and
 * `X-RateLimit-*`. `page: "cloudflare-1015"` answers Cloudflare's rate-limit page instead.
 */
export function createDiscordFailureResponse(rule: FailureRule, request: FakeRequest): FakeResponse {
  if (rule.page === "cloudflare-1015") return createCloudflareRateLimitPage();
  const status = rule.status ?? 500;
  if (status === 429) {
    const body = rule.body ?? {
      message: "You are being rate limited.",
      retry_after: rule.retryAfterSeconds,
      global: false,
    };
    return createJsonResponse(
      429,
      body,
      createRateLimitedHeaders(`${request.method} ${request.path}`, 5, rule.retryAfterSeconds, false),
    );
  }
  return createJsonResponse(status, rule.body ?? defaultBodies[status] ?? { message: `${status}: Error`, code: 0 });
}

/**
 * Cloudflare's error 1015 as discord.com serves it to an address it limits (Workers share theirs):
 * status 429, an HTML page, no JSON, no `retry_after`, no `Retry-After`, no `X-RateLimit-*`.
 * Shaped on the page bots have reported (discord/discord-api-docs#1771, #5385, #7137).
 */
function createCloudflareRateLimitPage(): FakeResponse {
  const rayId = Array.from(crypto.getRandomValues(new Uint8Array(8)), (byte) =>
    byte.toString(16).padStart(2, "0"),
  ).join("");
  const html = `<!DOCTYPE html>
<html class="no-js" lang="en-US">
<head>
<title>Access denied | discord.com used Cloudflare to restrict access</title>
<meta charset="UTF-8" />
<meta name="robots" content="noindex, nofollow" />
</head>
<body>
  <div id="cf-wrapper">
    <div id="cf-error-details" class="p-0">
      <header class="mx-auto pt-10 lg:pt-6 lg:px-8 w-240 lg:w-full mb-15 antialiased">
        <h1 class="inline-block md:block mr-2 md:mb-2 font-light text-60 md:text-3xl text-black-dark leading-tight">
          <span data-translate="error">Error</span>
          <span>1015</span>
        </h1>
        <span class="inline-block md:block heading-ray-id font-mono text-15 lg:text-sm lg:leading-relaxed">Ray ID: ${rayId} &bull;</span>
        <h2 class="text-gray-600 leading-1.3 text-3xl lg:text-2xl font-light">You are being rate limited</h2>
      </header>
      <section class="w-240 lg:w-full mx-auto mb-8 lg:px-8">
        <div id="what-happened-section" class="w-1/2 md:w-full">
          <h2 class="text-3xl leading-tight font-normal mb-4 text-black-dark antialiased" data-translate="what_happened">What happened?</h2>
          <p>The owner of this website (discord.com) has banned you temporarily from accessing this website.</p>
        </div>
      </section>
      <div class="cf-error-footer cf-wrapper w-240 lg:w-full py-10 sm:py-4 sm:px-8 mx-auto text-center sm:text-left border-solid border-0 border-t border-gray-300">
        <p class="text-13">
          <span class="cf-footer-item sm:block sm:mb-1">Cloudflare Ray ID: <strong class="font-semibold">${rayId}</strong></span>
          <span class="cf-footer-separator sm:hidden">&bull;</span>
          <span id="cf-footer-item-ip" class="cf-footer-item sm:block sm:mb-1">Your IP: 203.0.113.7</span>
        </p>
      </div>
    </div>
  </div>
</body>
</html>
`;
  return {
    status: 429,
    headers: { "content-type": "text/html; charset=UTF-8", server: "cloudflare", "cf-ray": `${rayId}-GRU` },
    body: html,
  };
}
