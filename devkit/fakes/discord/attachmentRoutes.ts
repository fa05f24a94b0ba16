import type { FakeRequest } from "../shared/FakeRequest";
import { createJsonResponse, type FakeResponse } from "../shared/FakeResponse";
import { parseJsonBody } from "../shared/parseBody";
import type { Route } from "../shared/Router";
import { respondInvalidControlBody } from "../shared/sharedControlRoutes";
import type { DiscordState } from "./DiscordState";
import { discordAttachmentInputSchema } from "./discordControlSchemas";
import type { UploadedFile } from "./readMessageRequest";

/** The fake's own origin, as the caller reached it (attachment URLs point back at it). */
export function readOrigin(request: FakeRequest): string {
  return `http://${request.headers.host ?? "127.0.0.1"}`;
}

/** The CDN: an attachment's bytes at its URL, like `cdn.discordapp.com/attachments/…`. */
export function createAttachmentRoute(state: DiscordState): Route {
  return {
    method: "GET",
    pattern: "/attachments/:channelId/:attachmentId/:filename",
    handle: (request): FakeResponse => {
      const stored = state.attachments.get(request.params.attachmentId ?? "");
      if (stored === undefined || stored.attachment.filename !== request.params.filename)
        return { status: 404, headers: { "content-type": "text/plain" }, body: "This content is no longer available." };
      return { status: 200, headers: { "content-type": stored.contentType }, body: stored.content };
    },
  };
}

/** `POST /_control/attachments`: what a user's upload gives Discord, to send in `data.resolved.attachments`. */
export function createAttachmentControlRoute(state: DiscordState): Route {
  return {
    method: "POST",
    pattern: "/_control/attachments",
    handle: (request) =>
      createJsonResponse(
        201,
        state.createAttachment(
          parseJsonBody(request, discordAttachmentInputSchema, respondInvalidControlBody),
          readOrigin(request),
        ),
      ),
  };
}

/** Stores the files a message was sent with; their attachment objects, in `files[n]` order. */
export function storeUploadedFiles(
  state: DiscordState,
  request: FakeRequest,
  channelId: string,
  files: UploadedFile[],
) {
  return [...files]
    .sort((first, second) => first.index - second.index)
    .map((file) => state.createAttachment({ ...file, channelId }, readOrigin(request)));
}
