import { FakeHttpError } from "../shared/FakeHttpError";
import type { FakeRequest } from "../shared/FakeRequest";
import { DiscordFormErrors } from "./DiscordFormErrors";
import { readJsonBody } from "./validateMessageBody";

/** A file sent with a message, as multipart/form-data carried it. */
export interface UploadedFile {
  /** `n` of the `files[n]` field, which `attachments[].id` refers to. */
  index: number;
  filename: string;
  contentType: string;
  content: string;
}

/**
 * Discord's upload limits (https://discord.com/developers/docs/reference#uploading-files): up to
 * 10 files per message, each within the guild's upload limit (10 MiB without boosts).
 */
export const maximumFilesPerMessage = 10;
export const maximumFileBytes = 10 * 1024 * 1024;

/**
 * Reads a message body as Discord does: JSON, or multipart/form-data with the JSON in
 * `payload_json` and files in `files[n]`. The fake reads bodies as UTF-8, so files are text.
 */
export async function readMessageRequest(request: FakeRequest): Promise<{ body: unknown; files: UploadedFile[] }> {
  const contentType = request.headers["content-type"] ?? "";
  if (!contentType.startsWith("multipart/form-data")) return { body: readJsonBody(request), files: [] };
  let form: FormData;
  try {
    form = await new Response(request.bodyText, { headers: { "content-type": contentType } }).formData();
  } catch {
    throw new FakeHttpError(new DiscordFormErrors().createResponse());
  }
  const errors = new DiscordFormErrors();
  const payload = form.get("payload_json");
  let body: unknown = {};
  if (typeof payload === "string") {
    try {
      body = JSON.parse(payload);
    } catch {
      errors.add(["payload_json"], "BASE_TYPE_BAD_JSON", "Must be valid JSON.");
    }
  }
  const files: UploadedFile[] = [];
  for (const [field, value] of form.entries()) {
    if (field === "payload_json") continue;
    const index = /^files\[(\d+)\]$/.exec(field)?.[1];
    if (index === undefined || typeof value === "string") {
      errors.add([field], "UNKNOWN_FIELD", `Unexpected form field ${field}; files go in files[n].`);
      continue;
    }
    if (value.size > maximumFileBytes)
      errors.add([field], "BASE_TYPE_MAX_LENGTH", `File is larger than ${maximumFileBytes} bytes.`);
    files.push({
      index: Number(index),
      filename: value.name,
      contentType: value.type || "application/octet-stream",
      content: await value.text(),
    });
  }
  if (files.length > maximumFilesPerMessage)
    errors.add(["files"], "BASE_TYPE_MAX_LENGTH", `Must be ${maximumFilesPerMessage} or fewer in length.`);
  errors.throwIfAny();
  return { body, files };
}
