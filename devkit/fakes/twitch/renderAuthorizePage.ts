import type { TwitchUser } from "./twitchControlSchemas";

export interface AuthorizePageInput {
  clientId: string;
  redirectUri: string;
  scopes: string[];
  state: string | undefined;
  users: TwitchUser[];
}

/** The consent page: pick a user (or type a new login), see the scopes, Authorize or Cancel. */
export function renderAuthorizePage(input: AuthorizePageInput): string {
  const userChoices = input.users
    .map(
      (user, index) =>
        `<label><input type="radio" name="user_id" value="${escapeHtml(user.id)}"${index === 0 ? " checked" : ""}> ` +
        `${escapeHtml(user.displayName ?? user.login)} <small>(${escapeHtml(user.login)}, id ${escapeHtml(user.id)})</small></label><br>`,
    )
    .join("\n");
  const scopeItems = input.scopes.map((scope) => `<li><code>${escapeHtml(scope)}</code></li>`).join("\n");
  const hiddenFields = [
    ["client_id", input.clientId],
    ["redirect_uri", input.redirectUri],
    ["scope", input.scopes.join(" ")],
    ["state", input.state ?? ""],
  ]
    .map(([name, value]) => `<input type="hidden" name="${name}" value="${escapeHtml(value ?? "")}">`)
    .join("\n");
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Authorize (fake Twitch)</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem}
button{font-size:1rem;padding:.5rem 1rem;margin-right:.5rem}fieldset{margin:1rem 0}</style></head>
<body>
<h1>Fake Twitch</h1>
<p>The application <code>${escapeHtml(input.clientId)}</code> wants to access your account.</p>
<form method="post" action="/oauth2/authorize">
${hiddenFields}
<fieldset><legend>Sign in as</legend>
${userChoices || "<p>No users yet.</p>"}
<label>or a new login: <input type="text" name="login" pattern="[a-z0-9_]{3,25}"></label>
</fieldset>
<p>It asks for:</p>
<ul>${scopeItems || "<li>no scopes</li>"}</ul>
<button type="submit" name="decision" value="authorize">Authorize</button>
<button type="submit" name="decision" value="cancel" formnovalidate>Cancel</button>
</form>
</body>
</html>`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}
