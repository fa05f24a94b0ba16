import type { Config } from "../../../env";
import { DiscordApiError } from "../../DiscordRestClient";
import type { MessageBody } from "../../message";

/** A text file to attach to a reply. */
export interface ReplyFile {
  filename: string;
  contentType: string;
  content: string;
}

/**
 * Edits a deferred reply into `body` with `file` attached. Files travel only as
 * multipart/form-data: the message JSON in `payload_json`, the file in `files[0]`, referenced by
 * `attachments[].id` (https://discord.com/developers/docs/reference#uploading-files; Edit Original
 * Interaction Response accepts files like Edit Webhook Message). Not the HTTP answer to the
 * interaction: Discord fails an interaction answered over HTTP with multipart
 * (discord-api-docs discussion #6204), so a file is sent after a deferral. The interaction token
 * is the credential, in the URL only.
 */
export async function editReplyWithFile(
  config: Pick<Config, "discordApiBaseUrl">,
  interaction: { applicationId: string; interactionToken: string },
  body: MessageBody,
  file: ReplyFile,
): Promise<void> {
  const form = new FormData();
  const payload = {
    ...body,
    allowed_mentions: { parse: [] },
    attachments: [{ id: 0, filename: file.filename }],
  };
  form.set("payload_json", JSON.stringify(payload));
  form.set("files[0]", new Blob([file.content], { type: file.contentType }), file.filename);
  const path = `/webhooks/${interaction.applicationId}/${interaction.interactionToken}/messages/@original`;
  const response = await fetch(`${config.discordApiBaseUrl}${path}`, {
    method: "PATCH",
    // Discord requires a DiscordBot User-Agent on every REST call (as DiscordRestClient sends).
    headers: { "user-agent": "DiscordBot (https://github.com/liveloot/liveloot, 0.1.0)" },
    body: form,
  });
  if (!response.ok) {
    const redactedPath = `/webhooks/${interaction.applicationId}/<interaction token>/messages/@original`;
    throw new DiscordApiError(response.status, redactedPath, await response.text(), undefined);
  }
  await response.body?.cancel();
}
