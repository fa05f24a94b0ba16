import { api } from "./api";
import {
  type CommandChoice,
  listCommandChoices,
  readFieldValues,
  readOptionInputs,
  renderOptionFields,
} from "./commandForm";
import type {
  ConversationEntry,
  MessageView,
  PlaygroundSetup,
  PlaygroundState,
  PlaygroundUser,
  TickView,
  TwitchUserView,
} from "./playgroundApi";
import type { RenderContext } from "./renderMarkdown";
import { renderMessage } from "./renderMessage";
import { ViewersPanel } from "./viewersPanel";

const pollIntervalMilliseconds = 1000;
/** The Viewers table is read again every this many polls (ages and last chats move on). */
const viewersEveryPolls = 5;

/** Every element the page script drives, found once; a missing one is a bug in index.html. */
function findElements() {
  const find = <Element extends HTMLElement>(id: string, type: new () => Element): Element => {
    const found = document.getElementById(id);
    if (!(found instanceof type)) throw new Error(`index.html has no #${id}`);
    return found;
  };
  return {
    connection: find("connection", HTMLElement),
    clockTime: find("clock-time", HTMLElement),
    lastTick: find("last-tick", HTMLElement),
    advanceMinute: find("advance-minute", HTMLButtonElement),
    userName: find("user-name", HTMLInputElement),
    manageServer: find("manage-server", HTMLInputElement),
    locale: find("user-locale", HTMLSelectElement),
    channel: find("user-channel", HTMLSelectElement),
    commandForm: find("command-form", HTMLFormElement),
    commandSelect: find("command-select", HTMLSelectElement),
    commandDescription: find("command-description", HTMLElement),
    commandOptions: find("command-options", HTMLElement),
    runCommand: find("run-command", HTMLButtonElement),
    conversation: find("conversation", HTMLOListElement),
    conversationEmpty: find("conversation-empty", HTMLElement),
    twitchUser: find("twitch-user", HTMLSelectElement),
    liveStatus: find("live-status", HTMLElement),
    toggleLive: find("toggle-live", HTMLButtonElement),
    chattersForm: find("chatters-form", HTMLFormElement),
    chatters: find("chatters", HTMLTextAreaElement),
    chattersStatus: find("chatters-status", HTMLElement),
    channels: find("channels", HTMLElement),
    viewersBody: find("viewers-body", HTMLTableSectionElement),
    viewersEmpty: find("viewers-empty", HTMLElement),
    viewersStatus: find("viewers-status", HTMLElement),
    viewersChannel: find("viewers-channel", HTMLElement),
    overlayEmpty: find("overlay-empty", HTMLElement),
    overlayStage: find("overlay-stage", HTMLElement),
    overlayFrame: find("overlay-frame", HTMLIFrameElement),
    overlayLinkLine: find("overlay-link-line", HTMLElement),
    overlayLink: find("overlay-link", HTMLAnchorElement),
  };
}

type Elements = ReturnType<typeof findElements>;

interface Rendered {
  json: string;
  element: HTMLElement;
}

class Playground {
  private choices: CommandChoice[] = [];
  private readonly renderedEntries = new Map<string, Rendered>();
  private readonly renderedMessages = new Map<string, Rendered>();
  private twitchUsers: TwitchUserView[] = [];
  private chattersEdited = false;
  private polling = false;
  private autocompleteTimer: number | undefined;
  /** How far the simulated clock of `npm run dev` runs ahead of this browser's clock. */
  private clockOffsetMilliseconds = 0;
  private polls = 0;
  private readonly viewers: ViewersPanel;

  constructor(
    private readonly elements: Elements,
    private readonly setup: PlaygroundSetup,
  ) {
    this.viewers = new ViewersPanel(
      {
        body: elements.viewersBody,
        empty: elements.viewersEmpty,
        status: elements.viewersStatus,
        channelName: elements.viewersChannel,
      },
      () => Date.now() + this.clockOffsetMilliseconds,
      () => this.user.locale,
    );
  }

  start(): void {
    const { elements } = this;
    for (const channel of this.setup.channels) {
      const option = document.createElement("option");
      option.value = channel.id;
      option.textContent = `#${channel.name}`;
      elements.channel.append(option);
    }
    for (const locale of this.setup.locales) {
      const option = document.createElement("option");
      option.value = locale;
      option.textContent = locale === "pt-BR" ? "Português (Brasil) — pt-BR" : "English (US) — en-US";
      elements.locale.append(option);
    }
    this.renderCommandChoices();
    elements.locale.addEventListener("change", () => this.renderCommandChoices());
    elements.commandSelect.addEventListener("change", () => this.renderOptions(new Map()));
    elements.commandForm.addEventListener("submit", (event) => {
      event.preventDefault();
      void this.runCommand();
    });
    elements.advanceMinute.addEventListener("click", () => void this.advanceOneMinute());
    elements.twitchUser.addEventListener("change", () => {
      this.chattersEdited = false;
      this.renderTwitch();
    });
    elements.toggleLive.addEventListener("click", () => void this.toggleLive());
    elements.chatters.addEventListener("input", () => {
      this.chattersEdited = true;
    });
    elements.chattersForm.addEventListener("submit", (event) => {
      event.preventDefault();
      void this.saveChatters();
    });
    void this.poll();
    window.setInterval(() => void this.poll(), pollIntervalMilliseconds);
  }

  private get user(): PlaygroundUser {
    return {
      name: this.elements.userName.value.trim() || "streamer",
      manageServer: this.elements.manageServer.checked,
      locale: this.elements.locale.value === "pt-BR" ? "pt-BR" : "en-US",
    };
  }

  private get renderContext(): RenderContext {
    return {
      channelNames: new Map(this.setup.channels.map((channel) => [channel.id, channel.name])),
      locale: this.user.locale,
      // `<t:…:R>` ("in 1 minute") is relative to the Worker's now: the simulated clock.
      now: Date.now() + this.clockOffsetMilliseconds,
    };
  }

  private get selectedChoice(): CommandChoice | undefined {
    return this.choices.find((choice) => choice.key === this.elements.commandSelect.value);
  }

  private renderCommandChoices(): void {
    const { commandSelect } = this.elements;
    const selectedKey = commandSelect.value;
    const values = readFieldValues(this.elements.commandOptions);
    this.choices = listCommandChoices(this.setup.commands, this.user.locale);
    commandSelect.replaceChildren(
      ...this.choices.map((choice) => {
        const option = document.createElement("option");
        option.value = choice.key;
        option.textContent = choice.label;
        return option;
      }),
    );
    if (this.choices.some((choice) => choice.key === selectedKey)) commandSelect.value = selectedKey;
    this.renderOptions(values);
  }

  private renderOptions(previousValues: Map<string, string>): void {
    const choice = this.selectedChoice;
    if (!choice) return;
    this.elements.commandDescription.textContent = choice.description;
    renderOptionFields(this.elements.commandOptions, choice, {
      locale: this.user.locale,
      channels: this.setup.channels,
      previousValues,
      onAutocomplete: (optionName, input, list) => this.scheduleAutocomplete(choice, optionName, input, list),
    });
  }

  private scheduleAutocomplete(
    choice: CommandChoice,
    focused: string,
    input: HTMLInputElement,
    list: HTMLDataListElement,
  ): void {
    window.clearTimeout(this.autocompleteTimer);
    this.autocompleteTimer = window.setTimeout(async () => {
      try {
        const options = await readOptionInputs(this.elements.commandOptions);
        if (!options.some((option) => option.name === focused)) {
          options.push({ name: focused, type: Number(input.dataset.optionType), value: "" });
        }
        const result = await api.autocomplete({ ...(await this.commandInput(choice)), options, focused });
        list.replaceChildren(
          ...result.choices.map((entry) => {
            const option = document.createElement("option");
            option.value = String(entry.value);
            option.label = entry.name;
            return option;
          }),
        );
      } catch {
        list.replaceChildren();
      }
    }, 200);
  }

  private async commandInput(choice: CommandChoice) {
    return {
      user: this.user,
      channelId: this.elements.channel.value,
      command: choice.command,
      ...(choice.subcommandGroup === undefined ? {} : { subcommandGroup: choice.subcommandGroup }),
      ...(choice.subcommand === undefined ? {} : { subcommand: choice.subcommand }),
      options: await readOptionInputs(this.elements.commandOptions),
    };
  }

  private async runCommand(): Promise<void> {
    const choice = this.selectedChoice;
    if (!choice) return;
    const { runCommand } = this.elements;
    runCommand.disabled = true;
    runCommand.textContent = "Sending…";
    try {
      const entry = await api.runCommand(await this.commandInput(choice));
      this.renderConversation([entry]);
    } catch (error) {
      this.showConnectionProblem(error);
    } finally {
      runCommand.disabled = false;
      runCommand.textContent = "Run";
    }
  }

  private async advanceOneMinute(): Promise<void> {
    const { advanceMinute } = this.elements;
    advanceMinute.disabled = true;
    try {
      const tick = await api.advanceOneMinute();
      this.renderTick(tick);
      await this.poll();
      await this.viewers.refresh();
    } catch (error) {
      this.showConnectionProblem(error);
    } finally {
      advanceMinute.disabled = false;
    }
  }

  private async toggleLive(): Promise<void> {
    const user = this.selectedTwitchUser();
    if (!user) return;
    try {
      const result = await api.setLive(user.id, !user.live);
      this.twitchUsers = result.twitch.users;
      this.renderTwitch();
    } catch (error) {
      this.showConnectionProblem(error);
    }
  }

  private async saveChatters(): Promise<void> {
    const user = this.selectedTwitchUser();
    if (!user) return;
    const logins = this.elements.chatters.value
      .split(/[\s,]+/)
      .map((login) => login.trim().replace(/^@/, ""))
      .filter((login) => login !== "");
    const invalid = logins.find((login) => !/^[A-Za-z0-9_]{1,25}$/.test(login));
    if (invalid !== undefined) {
      this.elements.chattersStatus.textContent = `“${invalid}” is not a Twitch login (letters, digits, _).`;
      return;
    }
    try {
      const result = await api.setChatters(user.id, logins);
      this.twitchUsers = result.twitch.users;
      this.chattersEdited = false;
      this.elements.chattersStatus.textContent = `Saved: ${logins.length} in chat.`;
      this.renderTwitch();
      await this.viewers.refresh();
    } catch (error) {
      this.elements.chattersStatus.textContent = error instanceof Error ? error.message : String(error);
    }
  }

  private async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const state = await api.readState();
      this.elements.connection.hidden = true;
      this.renderState(state);
      this.polls += 1;
      if (this.polls % viewersEveryPolls === 0) void this.viewers.refresh();
    } catch (error) {
      this.showConnectionProblem(error);
    } finally {
      this.polling = false;
    }
  }

  private showConnectionProblem(error: unknown): void {
    this.elements.connection.hidden = false;
    this.elements.connection.textContent = `The dev server did not answer (${
      error instanceof Error ? error.message : String(error)
    }). Is npm run dev still running?`;
  }

  private renderState(state: PlaygroundState): void {
    const simulated = new Date(state.clock.now);
    this.clockOffsetMilliseconds = state.clock.now - Date.now();
    const ahead = state.clock.advancedMinutes;
    this.elements.clockTime.textContent = `${simulated.toLocaleTimeString(this.user.locale, { timeStyle: "short" })}${
      ahead > 0 ? ` (${ahead} min ahead of the wall clock)` : ""
    }`;
    this.elements.clockTime.setAttribute("datetime", simulated.toISOString());
    const lastTick = state.clock.ticks[0];
    if (lastTick) this.renderTick(lastTick);
    this.twitchUsers = state.twitch.users;
    this.renderTwitch();
    this.renderConversation(state.conversation);
    this.renderChannels(state.channels);
  }

  private renderTick(tick: TickView): void {
    const time = new Date(tick.scheduledTime).toLocaleTimeString(this.user.locale, { timeStyle: "short" });
    const how = tick.trigger === "manual" ? "advanced by hand" : "every minute";
    this.elements.lastTick.textContent = `Last tick: ${time} (${how}) → ${tick.outcome}, ${tick.durationMilliseconds} ms${
      tick.detail ? ` — ${tick.detail}` : ""
    }`;
    this.elements.lastTick.dataset.outcome = tick.outcome;
  }

  private selectedTwitchUser(): TwitchUserView | undefined {
    return this.twitchUsers.find((user) => user.id === this.elements.twitchUser.value) ?? this.twitchUsers[0];
  }

  private renderTwitch(): void {
    const { twitchUser, liveStatus, toggleLive, chatters } = this.elements;
    const selectedId = twitchUser.value;
    const optionsJson = JSON.stringify(this.twitchUsers.map((user) => [user.id, user.displayName, user.login]));
    if (twitchUser.dataset.rendered !== optionsJson) {
      twitchUser.replaceChildren(
        ...this.twitchUsers.map((user) => {
          const option = document.createElement("option");
          option.value = user.id;
          option.textContent = `${user.displayName} (${user.login})`;
          return option;
        }),
      );
      twitchUser.dataset.rendered = optionsJson;
      if (this.twitchUsers.some((user) => user.id === selectedId)) twitchUser.value = selectedId;
    }
    const user = this.selectedTwitchUser();
    this.viewers.show(user);
    toggleLive.disabled = !user;
    if (!user) {
      liveStatus.textContent = "No Twitch users yet.";
      return;
    }
    liveStatus.textContent = user.live ? "🔴 Live now" : "⚫ Offline";
    liveStatus.dataset.live = String(user.live);
    toggleLive.textContent = user.live ? "End stream" : "Go live";
    toggleLive.setAttribute("aria-pressed", String(user.live));
    if (!this.chattersEdited && document.activeElement !== chatters) {
      chatters.value = user.chatterLogins.join("\n");
    }
  }

  private renderConversation(entries: ConversationEntry[]): void {
    const { conversation, conversationEmpty } = this.elements;
    if (entries.length > 0) conversationEmpty.hidden = true;
    const nearBottom = conversation.scrollHeight - conversation.scrollTop - conversation.clientHeight < 80;
    let added = false;
    for (const entry of entries) {
      const json = JSON.stringify(entry);
      const rendered = this.renderedEntries.get(entry.id);
      if (rendered?.json === json) continue;
      const element = this.renderEntry(entry);
      if (rendered) rendered.element.replaceWith(element);
      else {
        conversation.append(element);
        added = true;
      }
      this.renderedEntries.set(entry.id, { json, element });
    }
    if (added && nearBottom) conversation.lastElementChild?.scrollIntoView({ block: "end" });
    this.showOverlay(entries);
  }

  /** The Overlay panel plays the page of the newest overlay URL a reply gave (/overlay's button). */
  private showOverlay(entries: ConversationEntry[]): void {
    const url = entries
      .flatMap((entry) => (entry.message ? [entry.message] : []))
      .flatMap((message) => findButtonUrls(message.components))
      .filter((candidate) => /\/overlay\/[A-Za-z0-9_-]{43}$/.test(candidate))
      .at(-1);
    const { overlayFrame, overlayStage, overlayEmpty, overlayLink, overlayLinkLine } = this.elements;
    if (!url || overlayLink.href === url) return;
    overlayFrame.src = url;
    overlayLink.href = url;
    overlayStage.hidden = false;
    overlayLinkLine.hidden = false;
    overlayEmpty.hidden = true;
  }

  private renderEntry(entry: ConversationEntry): HTMLElement {
    const item = document.createElement("li");
    item.className = `entry phase-${entry.phase}`;
    item.dataset.entryId = entry.id;
    const header = document.createElement("p");
    header.className = "entry-header";
    const who = document.createElement("strong");
    who.textContent = entry.userName;
    const command = document.createElement("code");
    command.textContent = entry.commandLine;
    const channelName = this.renderContext.channelNames.get(entry.channelId) ?? entry.channelId;
    header.append(who, " used ", command, ` in #${channelName}`);
    item.append(header);
    if (entry.phase === "thinking") {
      const thinking = document.createElement("p");
      thinking.className = "thinking";
      thinking.textContent = "LiveLoot is thinking…";
      item.append(thinking);
    } else if (entry.phase === "rejected" || entry.phase === "unreachable") {
      const problem = document.createElement("p");
      problem.className = "problem";
      problem.textContent =
        entry.phase === "unreachable"
          ? `The Worker did not answer: ${entry.error ?? "no detail"}`
          : `The Worker answered HTTP ${entry.httpStatus ?? "?"}: ${entry.error ?? ""}`;
      item.append(problem);
    }
    if (entry.message) item.append(renderMessage(entry.message, this.renderContext));
    for (const followUp of entry.followUps) item.append(renderMessage(followUp, this.renderContext));
    return item;
  }

  private renderChannels(channels: PlaygroundState["channels"]): void {
    const { channels: container } = this.elements;
    for (const channel of channels) {
      let section = container.querySelector<HTMLElement>(`section[data-channel-id="${channel.id}"]`);
      if (!section) {
        section = document.createElement("section");
        section.className = "channel";
        section.dataset.channelId = channel.id;
        section.setAttribute("aria-label", `#${channel.name} messages`);
        const heading = document.createElement("h3");
        heading.textContent = `#${channel.name}`;
        const list = document.createElement("ol");
        list.className = "messages";
        const empty = document.createElement("p");
        empty.className = "hint empty";
        empty.textContent = "No messages yet.";
        section.append(heading, empty, list);
        container.append(section);
      }
      const list = section.querySelector("ol");
      const empty = section.querySelector<HTMLElement>(".empty");
      if (!list || !empty) continue;
      empty.hidden = channel.messages.length > 0;
      for (const message of channel.messages) this.renderChannelMessage(list, message);
    }
  }

  private renderChannelMessage(list: HTMLOListElement, message: MessageView): void {
    const json = JSON.stringify(message);
    const rendered = this.renderedMessages.get(message.id);
    if (rendered?.json === json) return;
    const item = document.createElement("li");
    item.className = "channel-message";
    const meta = document.createElement("p");
    meta.className = "message-meta";
    const author = document.createElement("strong");
    author.textContent = "LiveLoot";
    const badge = document.createElement("span");
    badge.className = "badge";
    badge.textContent = "APP";
    const time = document.createElement("time");
    time.dateTime = message.timestamp;
    time.textContent = new Date(message.timestamp).toLocaleTimeString(this.user.locale, { timeStyle: "short" });
    meta.append(author, " ", badge, " ", time);
    item.append(meta, renderMessage(message, this.renderContext));
    if (rendered) rendered.element.replaceWith(item);
    else {
      list.append(item);
      item.scrollIntoView({ block: "nearest" });
    }
    this.renderedMessages.set(message.id, { json, element: item });
  }
}

/** The URLs of a message's link buttons (Discord's action rows of buttons). */
function findButtonUrls(components: unknown[]): string[] {
  return components.flatMap((row) => {
    const buttons = (row as { components?: unknown[] }).components ?? [];
    return buttons.flatMap((button) => {
      const url = (button as { url?: unknown }).url;
      return typeof url === "string" ? [url] : [];
    });
  });
}

async function main(): Promise<void> {
  const elements = findElements();
  try {
    const setup = await api.readSetup();
    new Playground(elements, setup).start();
  } catch (error) {
    elements.connection.hidden = false;
    elements.connection.textContent = `Could not load the playground: ${error instanceof Error ? error.message : String(error)}`;
  }
}

void main();
