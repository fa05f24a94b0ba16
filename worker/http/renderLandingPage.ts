import { escapeHtml } from "./escapeHtml";

/** GET /: what LiveLoot is, and the button that installs it. */
export function renderLandingPage(): Response {
  const title = "LiveLoot";
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} — Twitch giveaways in Discord</title>
<style>
  :root { color-scheme: light dark; font-family: system-ui, sans-serif; }
  body { margin: 0; min-height: 100vh; display: grid; place-items: center; background: #0e0e10; color: #efeff1; }
  main { max-width: 36rem; padding: 2rem; text-align: center; }
  h1 { font-size: 2.5rem; margin: 0 0 .5rem; }
  p { line-height: 1.5; color: #adadb8; }
  ol { text-align: left; line-height: 1.7; color: #dedee3; }
  a.button { display: inline-block; margin-top: 1.5rem; padding: .8rem 1.6rem; border-radius: .5rem;
    background: #5865f2; color: #fff; font-weight: 600; text-decoration: none; }
  a.button:hover, a.button:focus { background: #4752c4; }
</style>
</head>
<body>
<main>
  <h1>🎁 LiveLoot</h1>
  <p>Giveaways for your Twitch stream, run from Discord. While you are live, LiveLoot draws a viewer
  who is in your chat and an item from your loot table every minute, and announces the winner in your Discord server.</p>
  <ol>
    <li>Add LiveLoot to your server.</li>
    <li>Run <code>/twitch connect</code> and link your Twitch channel.</li>
    <li>Fill the loot table with <code>/loot add</code>, then <code>/raffle start</code>.</li>
  </ol>
  <a class="button" href="/install">Add to Discord</a>
</main>
</body>
</html>`;
  return new Response(html, { headers: { "content-type": "text/html; charset=utf-8" } });
}
