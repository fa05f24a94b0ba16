import type {
  AutocompleteInput,
  AutocompleteResult,
  CommandInput,
  ConversationEntry,
  PlaygroundSetup,
  PlaygroundState,
  TickView,
  TwitchUserView,
  ViewerChatResult,
  ViewerFactsInput,
  ViewersView,
  ViewerView,
} from "./playgroundApi";

/** The dev server's JSON API; same origin as the page. */
export const api = {
  readSetup: () => request<PlaygroundSetup>("GET", "/api/setup"),
  readState: () => request<PlaygroundState>("GET", "/api/state"),
  runCommand: (input: CommandInput) => request<ConversationEntry>("POST", "/api/commands", input),
  autocomplete: (input: AutocompleteInput) => request<AutocompleteResult>("POST", "/api/autocomplete", input),
  advanceOneMinute: () => request<TickView>("POST", "/api/clock/advance", {}),
  setLive: (twitchUserId: string, live: boolean) =>
    request<{ twitch: { users: TwitchUserView[] } }>("PUT", `/api/twitch/users/${twitchUserId}/live`, { live }),
  setChatters: (twitchUserId: string, logins: string[]) =>
    request<{ twitch: { users: TwitchUserView[] } }>("PUT", `/api/twitch/users/${twitchUserId}/chatters`, {
      logins,
    }),
  listViewers: (twitchUserId: string) => request<ViewersView>("GET", `/api/twitch/users/${twitchUserId}/viewers`),
  saveViewer: (twitchUserId: string, viewerId: string, facts: ViewerFactsInput) =>
    request<ViewerView>("PUT", `/api/twitch/users/${twitchUserId}/viewers/${viewerId}`, facts),
  sayInChat: (twitchUserId: string, viewerId: string, text: string) =>
    request<ViewerChatResult>("POST", `/api/twitch/users/${twitchUserId}/viewers/${viewerId}/chat-messages`, {
      text,
    }),
};

async function request<Result>(method: string, path: string, body?: unknown): Promise<Result> {
  const response = await fetch(path, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) {
    let message = text;
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed === "object" && parsed !== null && "error" in parsed) message = String(parsed.error);
    } catch {
      // Not JSON: show the text.
    }
    throw new Error(`${response.status}: ${message}`);
  }
  // Our own server's answer, shaped by playgroundApi.ts on both sides.
  return JSON.parse(text) as Result;
}
