import { type Locale, type MessageKey, translate } from "../i18n/translate";
import { buildContentSecurityPolicy } from "./contentSecurityPolicy";
import { renderHtmlDocument } from "./renderHtmlDocument";
import { renderInlineCode } from "./renderInlineCode";

/** GET /: what LiveLoot is, and the button that installs it, in the browser's language. */
export function renderLandingPage(locale: Locale): Response {
  const text = (key: MessageKey) => renderInlineCode(translate(locale, key));
  const html = renderHtmlDocument({
    locale: locale,
    title: `LiveLoot — ${translate(locale, "landingTitle")}`,
    indexable: true,
    style: `  :root { color-scheme: light dark; font-family: system-ui, sans-serif; }
  body { margin: 0; min-height: 100vh; display: grid; place-items: center; background: #0e0e10; color: #efeff1; }
  main { max-width: 36rem; padding: 2rem; text-align: center; }
  h1 { font-size: 2.5rem; margin: 0 0 .5rem; display: flex; align-items: center; justify-content: center; gap: .6rem; }
  .logo { width: 2.6rem; height: 2.6rem; }
  p { line-height: 1.5; color: #adadb8; }
  ol { text-align: left; line-height: 1.7; color: #dedee3; }
  code { padding: .1rem .3rem; border-radius: .25rem; background: #26262c; font-size: .95em; }
  a.button { display: inline-block; margin-top: 1.5rem; padding: .8rem 1.6rem; border-radius: .5rem;
    background: #5865f2; color: #fff; font-weight: 600; text-decoration: none; }
  a.button:hover, a.button:focus { background: #4752c4; }
`,
    body: `<main>
  <h1><svg class="logo" viewBox="0 0 24 24" aria-hidden="true"><path fill="#9146ff" d="M3 10h18v4H3z"/><path fill="#5865f2" d="M4 14h16v7H4z"/><path fill="#efeff1" d="M11 10h2v11h-2z"/><path fill="none" stroke="#efeff1" stroke-width="1.6" d="M12 10C10 6 6.5 5.5 6.5 7.8S10.5 10 12 10c1.5 0 5.5.1 5.5-2.2S14 6 12 10z"/></svg> LiveLoot</h1>
  <p>${text("landingIntro")}</p>
  <ol>
    <li>${text("landingStepInstall")}</li>
    <li>${text("landingStepConnect")}</li>
    <li>${text("landingStepLoot")}</li>
  </ol>
  <a class="button" href="/install">${text("landingInstallButton")}</a>
</main>
`,
  });
  return new Response(html, {
    headers: {
      "content-type": "text/html; charset=utf-8",
      "content-language": locale,
      // The same URL answers in more than one language; caches must key on the header.
      vary: "Accept-Language",
      "content-security-policy": buildContentSecurityPolicy(),
    },
  });
}
