import { type Locale, translate } from "../../i18n/translate";
import { renderHtmlDocument } from "../renderHtmlDocument";

/** The overlay's script, a Workers Static Asset built from page/overlay.ts (scripts/buildPageAssets.ts). */
export const overlayScriptPath = "/assets/overlay.js";

/** The words the page shows, in the server's language; the script reads them from the page. */
export interface OverlayPageTexts {
  won: string;
  verify: string;
  notVerifiable: string;
  claimed: string;
  redraw: string;
  platforms: { twitch: string; kick: string };
}

export function readOverlayPageTexts(locale: Locale): OverlayPageTexts {
  return {
    won: translate(locale, "overlayWonLabel"),
    verify: translate(locale, "overlayVerifyLine"),
    notVerifiable: translate(locale, "overlayNotVerifiable"),
    claimed: translate(locale, "overlayClaimedLabel"),
    redraw: translate(locale, "overlayRedrawLabel"),
    platforms: { twitch: translate(locale, "overlayPlatformTwitch"), kick: translate(locale, "overlayPlatformKick") },
  };
}

/**
 * The page an OBS Browser Source shows: transparent, empty until a draw arrives, then a reel and a
 * card (page/overlay.ts draws both). Everything comes from this origin: the style inline, the
 * script from /assets, the data through /state and /live; the CSP says so. It may be framed (the
 * playground's Overlay panel does): it has nothing to click.
 */
export function renderOverlayPage(locale: Locale): Response {
  const config = { locale, texts: readOverlayPageTexts(locale) };
  const html = renderHtmlDocument({
    locale,
    title: translate(locale, "overlayPageTitle"),
    style: overlayStyle,
    body: `<main id="overlay" data-state="idle" aria-live="polite">
  <div id="reel" hidden><div id="reel-marker"></div><div id="reel-strip"></div></div>
  <section id="card" hidden>
    <p id="card-label"></p>
    <p id="card-winner"></p>
    <p id="card-platform"></p>
    <p id="card-won"></p>
    <p id="card-item"></p>
    <p id="card-verify"></p>
    <p id="card-claimed" hidden></p>
  </section>
  <ol id="overlay-history" hidden></ol>
</main>
<script type="application/json" id="overlay-config">${serializeForScriptBlock(config)}</script>
<script src="${overlayScriptPath}" defer></script>`,
  });
  return new Response(html, {
    headers: {
      "content-type": "text/html; charset=utf-8",
      "cache-control": "no-store",
      "referrer-policy": "no-referrer",
      "x-robots-tag": "noindex",
      "content-security-policy":
        "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'",
    },
  });
}

/** JSON safe inside a `<script>` data block: no `<` can close it or open a comment. */
function serializeForScriptBlock(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c").replace(/>/g, "\\u003e").replace(/&/g, "\\u0026");
}

// Sizes follow the viewport's height, so 1920×1080 and 1280×720 show the same layout. The
// background stays transparent: OBS composites the page over the stream.
const overlayStyle = `
html, body { margin: 0; padding: 0; background: transparent; overflow: hidden; }
body { width: 100vw; height: 100vh; font-family: system-ui, "Segoe UI", Roboto, "Noto Sans", sans-serif; }
#overlay { position: absolute; inset: 0; display: flex; flex-direction: column; align-items: center;
  justify-content: flex-end; padding: 6vh 4vw; box-sizing: border-box; gap: 2.5vh; --ink: #f5f7fa;
  --panel: rgba(14, 17, 26, 0.92); --muted: #b8c0d0; }
#overlay[data-position="top"] { justify-content: flex-start; }
#overlay[data-position="center"] { justify-content: center; }
#overlay[data-theme="light"] { --ink: #141821; --panel: rgba(250, 251, 253, 0.95); --muted: #4a5366; }
[hidden] { display: none !important; }
#reel { position: relative; width: min(92vw, 160vh); height: 22vh; overflow: hidden; border-radius: 1.6vh;
  background: var(--panel); box-shadow: 0 0.8vh 3vh rgba(0, 0, 0, 0.45); }
#reel-strip { position: absolute; top: 0; left: 0; height: 100%; display: flex; will-change: transform; }
#reel-marker { position: absolute; z-index: 2; top: 0; bottom: 0; left: 50%; width: 0.5vh; margin-left: -0.25vh;
  background: #ffd34d; box-shadow: 0 0 1.5vh #ffd34d; }
.tile { box-sizing: border-box; width: 20vh; height: 100%; padding: 1.4vh; display: flex; align-items: center;
  justify-content: center; text-align: center; border-right: 0.3vh solid rgba(0, 0, 0, 0.35);
  border-bottom: 1.2vh solid var(--rarity); color: var(--ink); font-size: 2.1vh; font-weight: 600; line-height: 1.2;
  background: linear-gradient(180deg, transparent 40%, color-mix(in srgb, var(--rarity) 35%, transparent));
  overflow: hidden; overflow-wrap: anywhere; }
.tile span { display: -webkit-box; -webkit-line-clamp: 4; -webkit-box-orient: vertical; overflow: hidden; }
#card { box-sizing: border-box; width: min(70vw, 110vh); padding: 2.6vh 3.4vh; border-radius: 1.6vh; color: var(--ink);
  background: var(--panel); border-left: 1.2vh solid var(--rarity, #4b69ff); box-shadow: 0 0.8vh 3vh rgba(0, 0, 0, 0.45);
  overflow-wrap: anywhere; animation: card-in 0.35s ease-out; }
#card p { margin: 0; }
#card-label { font-size: 2vh; text-transform: uppercase; letter-spacing: 0.2em; color: var(--rarity, #4b69ff); font-weight: 700; }
#card-winner { font-size: 5.2vh; font-weight: 800; line-height: 1.1; }
#card-platform { font-size: 2.2vh; color: var(--muted); }
#card-won { font-size: 2.2vh; color: var(--muted); margin-top: 1vh !important; }
#card-item { font-size: 3.4vh; font-weight: 700; line-height: 1.2; color: var(--rarity, var(--ink)); }
#card-verify { font-size: 1.9vh; color: var(--muted); margin-top: 1.2vh !important; }
#card-claimed { font-size: 2.2vh; font-weight: 700; color: #3ecf6e; margin-top: 0.8vh !important; }
@keyframes card-in { from { opacity: 0; transform: translateY(2vh); } to { opacity: 1; transform: none; } }
@media (prefers-reduced-motion: reduce) { #card { animation: none; } }
`;
