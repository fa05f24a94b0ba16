import { api } from "./api";
import type { LastChatView, SubscriptionTier, ViewerFactsInput, ViewersView, ViewerView } from "./playgroundApi";

/** What "Say hi in chat" says. */
export const greeting = "hi chat 👋";

const tierLabels: Record<SubscriptionTier | "none", string> = {
  none: "Not subscribed",
  "1000": "Tier 1 (1000)",
  "2000": "Tier 2 (2000)",
  "3000": "Tier 3 (3000)",
};

const deliveryLabels: Record<LastChatView["delivery"], string> = {
  delivered: "delivered to the EventSub callback",
  failed: "the EventSub callback refused it",
  dropped: "dropped by an EventSub fault",
  pending: "being delivered",
  unsubscribed: "no channel.chat.message subscription: nobody was told",
  "sent-by-api": "sent through Helix",
};

export interface ViewersElements {
  body: HTMLTableSectionElement;
  empty: HTMLElement;
  status: HTMLElement;
  channelName: HTMLElement;
}

interface Row {
  element: HTMLTableRowElement;
  viewer: ViewerView;
  /** The viewer changed a field since the fake's facts were last put into the inputs. */
  dirty: boolean;
  follows: HTMLInputElement;
  since: HTMLInputElement;
  tier: HTMLSelectElement;
  createdAt: HTMLInputElement;
  name: HTMLElement;
  followFact: HTMLElement;
  tierFact: HTMLElement;
  createdFact: HTMLElement;
  chatFact: HTMLElement;
  save: HTMLButtonElement;
  sayHi: HTMLButtonElement;
}

/**
 * The Viewers table: per viewer of the selected channel, the facts raffle gates read (follow and
 * since when, subscription tier, account creation date, last chat), editable. Every save answers
 * the viewer as the Twitch fake now has them, and the gray line under each field shows that.
 */
export class ViewersPanel {
  private broadcasterId: string | undefined;
  private readonly rows = new Map<string, Row>();
  private loading = false;
  /** The simulated now of the last listing, for ages ("3 d ago"). */
  private listedAt = Date.now();

  constructor(
    private readonly elements: ViewersElements,
    /** The simulated clock as this page last saw it. */
    private readonly now: () => number,
    private readonly locale: () => string,
  ) {}

  /** The channel picked in the Twitch panel; a different one loads its viewers. */
  show(broadcaster: { id: string; login: string } | undefined): void {
    if (broadcaster?.id === this.broadcasterId) return;
    this.broadcasterId = broadcaster?.id;
    this.elements.channelName.textContent = broadcaster?.login ?? "the channel";
    for (const row of this.rows.values()) row.element.remove();
    this.rows.clear();
    this.elements.status.textContent = "";
    void this.refresh();
  }

  /** Reads the viewers again: facts are always redrawn, inputs only where nothing was changed. */
  async refresh(): Promise<void> {
    const broadcasterId = this.broadcasterId;
    if (broadcasterId === undefined || this.loading) return;
    this.loading = true;
    try {
      const listing = await api.listViewers(broadcasterId);
      if (broadcasterId === this.broadcasterId) this.render(listing);
    } catch (error) {
      this.elements.status.textContent = `Could not read the viewers: ${describeError(error)}`;
    } finally {
      this.loading = false;
    }
  }

  private render(listing: ViewersView): void {
    this.listedAt = listing.now;
    const seen = new Set<string>();
    for (const viewer of listing.viewers) {
      seen.add(viewer.id);
      const row = this.rows.get(viewer.id) ?? this.createRow(viewer);
      this.update(row, viewer);
    }
    for (const [id, row] of this.rows) {
      if (seen.has(id)) continue;
      row.element.remove();
      this.rows.delete(id);
    }
    // The listing's order (chat first, then followers and subscribers who left); a row only moves
    // when it must, since moving it would take the focus away from a field being edited.
    listing.viewers.forEach((viewer, index) => {
      const row = this.rows.get(viewer.id);
      const current = this.elements.body.children[index];
      if (row && current !== row.element) this.elements.body.insertBefore(row.element, current ?? null);
    });
    this.elements.empty.hidden = listing.viewers.length > 0;
  }

  private createRow(viewer: ViewerView): Row {
    const element = document.createElement("tr");
    element.dataset.viewerId = viewer.id;
    const label = viewer.login;

    const nameCell = document.createElement("th");
    nameCell.scope = "row";
    const name = document.createElement("span");
    nameCell.append(name);

    const followCell = document.createElement("td");
    const followLine = document.createElement("div");
    followLine.className = "viewer-follow";
    const follows = document.createElement("input");
    follows.type = "checkbox";
    follows.setAttribute("aria-label", `${label} follows`);
    const since = document.createElement("input");
    since.type = "datetime-local";
    since.setAttribute("aria-label", `${label} follows since`);
    followLine.append(follows, since);
    const followFact = createFact();
    followCell.append(followLine, followFact);

    const tierCell = document.createElement("td");
    const tier = document.createElement("select");
    tier.setAttribute("aria-label", `${label} subscription tier`);
    for (const [value, text] of Object.entries(tierLabels)) {
      const option = document.createElement("option");
      option.value = value;
      option.textContent = value === "none" ? "None" : text;
      tier.append(option);
    }
    const tierFact = createFact();
    tierCell.append(tier, tierFact);

    const createdCell = document.createElement("td");
    const createdAt = document.createElement("input");
    createdAt.type = "date";
    createdAt.min = "2007-01-01";
    createdAt.setAttribute("aria-label", `${label} account created`);
    const createdFact = createFact();
    createdCell.append(createdAt, createdFact);

    const chatCell = document.createElement("td");
    const chatFact = createFact();
    const sayHi = document.createElement("button");
    sayHi.type = "button";
    sayHi.textContent = "Say hi in chat";
    sayHi.setAttribute("aria-label", `Say hi in chat as ${label}`);
    chatCell.append(chatFact, sayHi);

    const saveCell = document.createElement("td");
    const save = document.createElement("button");
    save.type = "button";
    save.className = "primary";
    save.textContent = "Save";
    save.setAttribute("aria-label", `Save ${label}`);
    saveCell.append(save);

    element.append(nameCell, followCell, tierCell, createdCell, chatCell, saveCell);
    const row: Row = {
      element,
      viewer,
      dirty: false,
      follows,
      since,
      tier,
      createdAt,
      name,
      followFact,
      tierFact,
      createdFact,
      chatFact,
      save,
      sayHi,
    };
    for (const input of [follows, since, tier, createdAt]) {
      input.addEventListener("input", () => {
        row.dirty = true;
      });
    }
    follows.addEventListener("change", () => {
      row.dirty = true;
      since.disabled = !follows.checked;
      if (follows.checked && since.value === "") since.value = formatDateTimeInput(this.now());
    });
    save.addEventListener("click", () => void this.save(row));
    sayHi.addEventListener("click", () => void this.sayHi(row));
    this.rows.set(viewer.id, row);
    this.elements.body.append(element);
    return row;
  }

  /** Shows what the fake has; puts it into the inputs unless the row has unsaved changes. */
  private update(row: Row, viewer: ViewerView): void {
    row.viewer = viewer;
    row.name.textContent =
      viewer.displayName === viewer.login ? viewer.login : `${viewer.displayName} (${viewer.login})`;
    if (!viewer.inChat) row.name.append(" ", createNote("not in chat"));
    const now = this.listedAt;
    row.since.max = formatDateTimeInput(this.now());
    row.createdAt.max = formatDateInput(this.now());
    row.followFact.textContent = viewer.follow
      ? `Following since ${this.formatDateTime(viewer.follow.followedAt)} (${describeAge(now - Date.parse(viewer.follow.followedAt))} ago)`
      : "Not following";
    row.tierFact.textContent = viewer.subscription
      ? `${tierLabels[viewer.subscription.tier]}${viewer.subscription.isGift ? ", a gift" : ""}`
      : tierLabels.none;
    row.createdFact.textContent = viewer.createdAt
      ? `${this.formatDate(viewer.createdAt)} (${Math.floor((now - Date.parse(viewer.createdAt)) / 86_400_000)} days old)`
      : "Unknown to Get Users: set a date";
    row.chatFact.textContent = viewer.lastChat
      ? `${this.formatDateTime(viewer.lastChat.at)} (${describeAge(now - Date.parse(viewer.lastChat.at))} ago): “${
          viewer.lastChat.text
        }”, ${deliveryLabels[viewer.lastChat.delivery]}`
      : "Has not chatted";
    row.chatFact.dataset.delivery = viewer.lastChat?.delivery ?? "";
    if (row.dirty) return;
    row.follows.checked = viewer.follow !== null;
    row.since.disabled = viewer.follow === null;
    row.since.value = formatDateTimeInput(viewer.follow ? Date.parse(viewer.follow.followedAt) : this.now());
    row.tier.value = viewer.subscription?.tier ?? "none";
    row.createdAt.value = viewer.createdAt ? formatDateInput(Date.parse(viewer.createdAt)) : "";
  }

  /** Only what differs from the fake is sent: an untouched date stays exactly as Twitch has it. */
  private readChanges(row: Row): ViewerFactsInput | string {
    const { viewer } = row;
    const facts: ViewerFactsInput = {};
    if (row.follows.checked) {
      if (row.since.value === "") return "Pick when the follow began.";
      const followedAt = new Date(row.since.value).toISOString();
      const current = viewer.follow ? formatDateTimeInput(Date.parse(viewer.follow.followedAt)) : undefined;
      if (current !== row.since.value) facts.follow = { following: true, followedAt };
    } else if (viewer.follow) {
      facts.follow = { following: false };
    }
    const tier = row.tier.value;
    if (tier !== (viewer.subscription?.tier ?? "none")) {
      if (tier !== "none" && tier !== "1000" && tier !== "2000" && tier !== "3000") return "Pick a tier.";
      facts.subscription = { tier };
    }
    const current = viewer.createdAt ? formatDateInput(Date.parse(viewer.createdAt)) : "";
    if (row.createdAt.value !== current) {
      if (row.createdAt.value === "") return "An account always has a creation date: pick one.";
      // Local midnight, so that "today" is never after now.
      facts.createdAt = new Date(`${row.createdAt.value}T00:00`).toISOString();
    }
    return facts;
  }

  private async save(row: Row): Promise<void> {
    const broadcasterId = this.broadcasterId;
    if (broadcasterId === undefined) return;
    const changes = this.readChanges(row);
    const { login } = row.viewer;
    if (typeof changes === "string") {
      this.elements.status.textContent = `${login}: ${changes}`;
      return;
    }
    if (Object.keys(changes).length === 0) {
      row.dirty = false;
      this.elements.status.textContent = `${login}: nothing changed.`;
      return;
    }
    row.save.disabled = true;
    try {
      const viewer = await api.saveViewer(broadcasterId, row.viewer.id, changes);
      row.dirty = false;
      this.update(row, viewer);
      this.elements.status.textContent = `Saved ${login}: ${[row.followFact, row.tierFact, row.createdFact]
        .map((fact) => fact.textContent)
        .join("; ")}.`;
    } catch (error) {
      this.elements.status.textContent = `${login} was not saved: ${describeError(error)}`;
    } finally {
      row.save.disabled = false;
    }
  }

  private async sayHi(row: Row): Promise<void> {
    const broadcasterId = this.broadcasterId;
    if (broadcasterId === undefined) return;
    row.sayHi.disabled = true;
    try {
      const result = await api.sayInChat(broadcasterId, row.viewer.id, greeting);
      this.listedAt = this.now();
      this.update(row, { ...result.viewer });
      this.elements.status.textContent = `${row.viewer.login} said “${greeting}”: ${
        result.notifiedSubscriptions === 0
          ? "no channel.chat.message subscription, nobody was told."
          : `sent to ${result.notifiedSubscriptions} subscription(s), ${deliveryLabels[result.viewer.lastChat?.delivery ?? "pending"]}.`
      }`;
    } catch (error) {
      this.elements.status.textContent = `${row.viewer.login} could not chat: ${describeError(error)}`;
    } finally {
      row.sayHi.disabled = false;
    }
  }

  private formatDateTime(iso: string): string {
    return new Date(iso).toLocaleString(this.locale(), { dateStyle: "medium", timeStyle: "short" });
  }

  private formatDate(iso: string): string {
    return new Date(iso).toLocaleDateString(this.locale(), { dateStyle: "medium" });
  }
}

function createFact(): HTMLElement {
  const fact = document.createElement("p");
  fact.className = "fact";
  return fact;
}

function createNote(text: string): HTMLElement {
  const note = document.createElement("small");
  note.className = "hint";
  note.textContent = text;
  return note;
}

/** "3 d 4 h", "12 min", "just now": how long ago, roughly, as a gate's minutes and days go. */
export function describeAge(milliseconds: number): string {
  const minutes = Math.floor(milliseconds / 60_000);
  if (minutes < 1) return "under a minute";
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ${minutes % 60} min`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

/** The value of a `datetime-local` input for a moment, in this browser's time zone, to the minute. */
export function formatDateTimeInput(milliseconds: number): string {
  const date = new Date(milliseconds);
  return `${formatDateInput(milliseconds)}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** The value of a `date` input (the local calendar day). */
export function formatDateInput(milliseconds: number): string {
  const date = new Date(milliseconds);
  return `${String(date.getFullYear()).padStart(4, "0")}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

function pad(value: number): string {
  return String(value).padStart(2, "0");
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
