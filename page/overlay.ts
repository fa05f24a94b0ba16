/**
 * The on-stream overlay (`/overlay/{token}`), bundled by scripts/buildPageAssets.ts and served as
 * a static asset. It listens on `/overlay/{token}/live` and plays each draw: a reel of the loot
 * table's items that lands on the one drawn, then the winner's card. Draws queue and never
 * overlap. After a reconnect it reads `/overlay/{token}/state` and plays only what it missed, by
 * draw_number. It never shows an error on stream: a failure waits, retries and stays invisible.
 */
import type { OverlayDraw, OverlayEvent } from "../worker/overlay/overlayEvents";

interface OverlayTexts {
  won: string;
  verify: string;
  notVerifiable: string;
  claimed: string;
  redraw: string;
  platforms: { twitch: string; kick: string };
}

interface OverlaySettings {
  texts: OverlayTexts;
  /** How long a winner's card stays (`?seconds=`, 3 to 60, default 8). */
  cardMilliseconds: number;
  reducedMotion: boolean;
}

/** How long the reel spins before it lands (CS-style: about 5 s of roulette, then the reveal). */
const spinMilliseconds = 5_000;
/** The reel repeats its items so it can run a long way before landing in the last copy. */
const reelCopies = 4;
const pingMilliseconds = 25_000;
/**
 * While connected, /state is read this often too: a draw whose publish failed or was left out of a
 * busy tick's subrequests (worker/overlay/publishToOverlay.ts) still plays, at most this late.
 */
const catchUpMilliseconds = 30_000;
const maximumReconnectMilliseconds = 30_000;
/** The close code of a replaced link (worker/overlay/overlayBinding.ts): the page goes quiet for good. */
const linkReplacedCloseCode = 4404;

type QueuedDraw = { kind: "draw" | "redraw"; draw: OverlayDraw };

const overlayElement = requireElement("overlay");
const basePath = location.pathname.replace(/\/+$/, "");
const settings = readSettings();
/** The winner each draw number was last shown (or queued) with: a redraw shows again, a repeat never. */
const shownWinners = new Map<number, string>();
/** Draw numbers at or below this were made before the page opened: they are not replayed. */
let baseline: number | undefined;
const queue: QueuedDraw[] = [];
let playing = false;
let currentDraw: OverlayDraw | undefined;

window.addEventListener("error", (event) => event.preventDefault());
window.addEventListener("unhandledrejection", (event) => event.preventDefault());
void start();

async function start(): Promise<void> {
  const state = await readState();
  if (state) rememberAsSeen(state.draws);
  connect(0);
}

function readSettings(): OverlaySettings {
  const parameters = new URLSearchParams(location.search);
  const config = JSON.parse(requireElement("overlay-config").textContent ?? "{}") as { texts: OverlayTexts };
  const theme = parameters.get("theme") === "light" ? "light" : "dark";
  const position = parameters.get("position");
  overlayElement.dataset.theme = theme;
  overlayElement.dataset.position = position === "top" || position === "center" ? position : "bottom";
  const seconds = Number(parameters.get("seconds"));
  return {
    texts: config.texts,
    cardMilliseconds: Number.isFinite(seconds) && seconds > 0 ? Math.min(Math.max(seconds, 3), 60) * 1000 : 8_000,
    reducedMotion: window.matchMedia("(prefers-reduced-motion: reduce)").matches,
  };
}

/** The draws made before this page opened are history, not news. */
function rememberAsSeen(draws: OverlayDraw[]): void {
  baseline = Math.max(baseline ?? 0, ...draws.map((draw) => draw.draw_number));
  for (const draw of draws) shownWinners.set(draw.draw_number, draw.winner.user_id);
}

async function readState(): Promise<{ draws: OverlayDraw[] } | undefined> {
  try {
    const response = await fetch(`${basePath}/state`, { cache: "no-store" });
    if (!response.ok) return undefined;
    const state = (await response.json()) as { draws?: OverlayDraw[] };
    return { draws: Array.isArray(state.draws) ? state.draws : [] };
  } catch {
    return undefined;
  }
}

function connect(attempt: number): void {
  const protocol = location.protocol === "https:" ? "wss:" : "ws:";
  let socket: WebSocket;
  try {
    socket = new WebSocket(`${protocol}//${location.host}${basePath}/live`);
  } catch {
    scheduleReconnect(attempt);
    return;
  }
  let pinger: ReturnType<typeof setInterval> | undefined;
  let poller: ReturnType<typeof setInterval> | undefined;
  let opened = false;
  socket.addEventListener("open", () => {
    opened = true;
    pinger = setInterval(() => {
      if (socket.readyState === WebSocket.OPEN) socket.send("ping");
    }, pingMilliseconds);
    poller = setInterval(() => void catchUp(), catchUpMilliseconds);
    // Whatever was drawn while the page was away (or before the socket opened) comes from /state.
    void catchUp();
  });
  socket.addEventListener("message", (message) => {
    if (typeof message.data !== "string" || message.data === "pong") return;
    try {
      receive(JSON.parse(message.data) as OverlayEvent);
    } catch {
      // A message this page does not understand is skipped.
    }
  });
  socket.addEventListener("close", (event) => {
    clearInterval(pinger);
    clearInterval(poller);
    if (event.code === linkReplacedCloseCode) {
      // The streamer made a new link: this one is dead, and the stream shows nothing.
      overlayElement.dataset.state = "replaced";
      return;
    }
    scheduleReconnect(opened ? 0 : attempt + 1);
  });
}

/** Back-off with jitter: 1 s, 2 s, 4 s … up to 30 s, reset once a socket opens. */
function scheduleReconnect(attempt: number): void {
  const delay = Math.min(1000 * 2 ** attempt, maximumReconnectMilliseconds) + Math.random() * 500;
  setTimeout(() => connect(attempt), delay);
}

async function catchUp(): Promise<void> {
  const state = await readState();
  if (!state) return;
  if (baseline === undefined) {
    rememberAsSeen(state.draws);
    return;
  }
  const missed = [...state.draws].sort((a, b) => a.draw_number - b.draw_number);
  for (const draw of missed) {
    if (draw.draw_number <= (baseline ?? 0) && !shownWinners.has(draw.draw_number)) continue;
    const shown = shownWinners.get(draw.draw_number);
    if (shown === undefined) enqueue("draw", draw);
    else if (shown !== draw.winner.user_id) enqueue("redraw", draw);
  }
}

function receive(event: OverlayEvent): void {
  if (event.type === "draw" || event.type === "redraw") {
    const shown = shownWinners.get(event.draw.draw_number);
    if (shown === event.draw.winner.user_id) return;
    enqueue(shown === undefined ? event.type : "redraw", event.draw);
    return;
  }
  if (event.type === "claimed" && currentDraw?.draw_number === event.draw_number) {
    const claimed = requireElement("card-claimed");
    claimed.textContent = `✓ ${settings.texts.claimed}`;
    claimed.hidden = false;
  }
}

function enqueue(kind: QueuedDraw["kind"], draw: OverlayDraw): void {
  shownWinners.set(draw.draw_number, draw.winner.user_id);
  queue.push({ kind, draw });
  if (!playing) void playQueue();
}

async function playQueue(): Promise<void> {
  playing = true;
  try {
    for (let next = queue.shift(); next; next = queue.shift()) {
      try {
        await play(next);
      } catch {
        // One draw that cannot be shown never stops the next.
      }
    }
  } finally {
    playing = false;
    currentDraw = undefined;
    overlayElement.dataset.state = "idle";
  }
}

async function play({ kind, draw }: QueuedDraw): Promise<void> {
  currentDraw = draw;
  overlayElement.dataset.drawNumber = String(draw.draw_number);
  const rarity = rarityColour(draw.item.chance);
  overlayElement.style.setProperty("--rarity", rarity);
  // A redraw has no new item: its card comes straight away.
  if (kind === "draw") await spinReel(draw);
  showCard(kind, draw);
  recordShown(kind, draw);
  await sleep(settings.cardMilliseconds);
  requireElement("card").hidden = true;
  requireElement("reel").hidden = true;
  await sleep(settings.reducedMotion ? 0 : 400);
}

async function spinReel(draw: OverlayDraw): Promise<void> {
  const reel = requireElement("reel");
  const strip = requireElement("reel-strip");
  const names = draw.reel.length > 0 ? draw.reel : [draw.item.name];
  const frequency = new Map<string, number>();
  for (const name of names) frequency.set(name, (frequency.get(name) ?? 0) + 1);
  strip.replaceChildren();
  strip.style.transition = "none";
  strip.style.transform = "translateX(0)";
  const tiles: HTMLElement[] = [];
  for (let copy = 0; copy < reelCopies; copy += 1) {
    for (const name of names) {
      const tile = document.createElement("div");
      tile.className = "tile";
      const chance = name === draw.item.name ? draw.item.chance : (frequency.get(name) ?? 0) / names.length;
      tile.style.setProperty("--rarity", rarityColour(chance));
      const label = document.createElement("span");
      label.textContent = name;
      tile.append(label);
      strip.append(tile);
      tiles.push(tile);
    }
  }
  // Land on the drawn item in the last copy.
  const lastCopy = names.length * (reelCopies - 1);
  const offsetInCopy = Math.max(0, names.indexOf(draw.item.name));
  const landing = lastCopy + offsetInCopy;
  const landingTile = tiles[landing] as HTMLElement;
  landingTile.dataset.landing = "true";
  reel.hidden = false;
  overlayElement.dataset.state = "spinning";
  const tileWidth = landingTile.offsetWidth;
  // Somewhere inside the landing tile, not always dead centre, as a real case opening stops.
  const nudge = (Math.random() - 0.5) * 0.6 * tileWidth;
  const target = landing * tileWidth + tileWidth / 2 + nudge - reel.clientWidth / 2;
  const duration = settings.reducedMotion ? 0 : spinMilliseconds;
  // Let the browser lay the strip out at 0 before it moves.
  await nextFrame();
  strip.style.transition = duration > 0 ? `transform ${duration}ms cubic-bezier(0.1, 0.75, 0.15, 1)` : "none";
  strip.style.transform = `translateX(${-target}px)`;
  await sleep(duration + 150);
  overlayElement.dataset.state = "landed";
  if (!settings.reducedMotion) await sleep(600);
}

function showCard(kind: QueuedDraw["kind"], draw: OverlayDraw): void {
  const { texts } = settings;
  requireElement("card-label").textContent = kind === "redraw" ? texts.redraw : `#${draw.draw_number}`;
  requireElement("card-winner").textContent = draw.winner.display_name;
  requireElement("card-platform").textContent = texts.platforms[draw.winner.platform] ?? draw.winner.platform;
  requireElement("card-won").textContent = texts.won;
  requireElement("card-item").textContent = draw.item.name;
  requireElement("card-verify").textContent =
    draw.round === null
      ? texts.notVerifiable
      : texts.verify.replace("{url}", draw.verify_url.replace(/^https?:\/\//, ""));
  requireElement("card-claimed").hidden = true;
  const card = requireElement("card");
  card.hidden = false;
  card.dataset.drawNumber = String(draw.draw_number);
  overlayElement.dataset.state = "card";
}

/** What the page has played, in order: read by the browser tests, hidden from the stream. */
function recordShown(kind: QueuedDraw["kind"], draw: OverlayDraw): void {
  const entry = document.createElement("li");
  entry.dataset.kind = kind;
  entry.dataset.drawNumber = String(draw.draw_number);
  entry.dataset.winner = draw.winner.display_name;
  entry.dataset.item = draw.item.name;
  requireElement("overlay-history").append(entry);
}

/** Case-opening colours by chance: the rarer, the warmer (grey, blue, purple, pink, red, gold). */
function rarityColour(chance: number): string {
  if (chance >= 0.5) return "#b0c3d9";
  if (chance >= 0.25) return "#5e98d9";
  if (chance >= 0.1) return "#4b69ff";
  if (chance >= 0.05) return "#8847ff";
  if (chance >= 0.02) return "#d32ce6";
  if (chance >= 0.005) return "#eb4b4b";
  return "#e4ae39";
}

function requireElement(id: string): HTMLElement {
  const element = document.getElementById(id);
  if (!element) throw new Error(`the overlay page has no #${id}`);
  return element;
}

function sleep(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}

/** Two frames (the layout at 0 is painted), or 50 ms where frames are throttled. */
function nextFrame(): Promise<void> {
  const frames = new Promise<void>((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve())));
  return Promise.race([frames, sleep(50)]);
}
