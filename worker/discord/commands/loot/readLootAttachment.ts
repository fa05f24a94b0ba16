import type { Config } from "../../../env";
import { readBoundedStream } from "../../../lib/readBoundedBody";
import { withTimeout } from "../../../lib/withTimeout";
import type { LootFileFormat } from "../../../raffle/lootFile";
import { type Attachment, UserFacingError } from "../CommandGroup";

/** 256 KiB: 500 rows of 100-character names with room to spare; checked before and while reading. */
export const maximumLootFileBytes = 256 * 1024;
const downloadTimeoutMilliseconds = 5_000;

/**
 * Discord serves attachments from its CDN (https://discord.com/developers/docs/reference#image-formatting
 * "Attachment" base URL `cdn.discordapp.com`, proxied as `media.discordapp.net`). Tests and
 * `npm run dev` point DISCORD_API_BASE_URL at the Discord fake, which serves them on its origin.
 */
function isDiscordFileUrl(url: URL, config: Pick<Config, "discordApiBaseUrl">): boolean {
  if (url.protocol === "https:" && (url.hostname === "cdn.discordapp.com" || url.hostname === "media.discordapp.net"))
    return true;
  return url.origin === new URL(config.discordApiBaseUrl).origin;
}

/**
 * Downloads an attached loot file: only from Discord, only .csv/.json/.txt, at most
 * `maximumLootFileBytes` (by the size Discord reports, then by what arrives), within a timeout,
 * as UTF-8 text. Every refusal is the user's to fix, so each is a UserFacingError.
 */
export async function readLootAttachment(
  config: Pick<Config, "discordApiBaseUrl">,
  attachment: Attachment,
): Promise<{ text: string; format: LootFileFormat | "unknown" }> {
  const extension = /\.(csv|json|txt)$/i.exec(attachment.filename)?.[1]?.toLowerCase();
  if (extension === undefined)
    throw new UserFacingError("lootFileType", { filename: attachment.filename.slice(0, 100) });
  const limit = { maximum: maximumLootFileBytes / 1024 };
  if (attachment.size > maximumLootFileBytes) throw new UserFacingError("lootFileTooLarge", limit);
  let url: URL;
  try {
    url = new URL(attachment.url);
  } catch {
    throw new UserFacingError("lootFileHost");
  }
  if (!isDiscordFileUrl(url, config)) throw new UserFacingError("lootFileHost");

  const bytes = await withTimeout(downloadBounded(url), downloadTimeoutMilliseconds).catch((error: unknown) => {
    if (error instanceof UserFacingError) throw error;
    throw new UserFacingError("lootFileUnreachable");
  });
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new UserFacingError("lootFileNotText");
  }
  const format = extension === "txt" ? "unknown" : extension === "json" ? "json" : "csv";
  return { text, format };
}

async function downloadBounded(url: URL): Promise<Uint8Array> {
  // No redirects: a redirect could lead off Discord's hosts (3xx is not ok, so it is refused).
  const response = await fetch(url, { redirect: "manual" });
  if (!response.ok || !response.body) {
    await response.body?.cancel();
    throw new Error(`attachment download answered ${response.status}`);
  }
  const tooLarge = new UserFacingError("lootFileTooLarge", { maximum: maximumLootFileBytes / 1024 });
  if (Number(response.headers.get("content-length")) > maximumLootFileBytes) {
    await response.body.cancel();
    throw tooLarge;
  }
  return readBoundedStream(response.body, maximumLootFileBytes, () => tooLarge);
}
