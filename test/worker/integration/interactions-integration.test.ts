import { describe, expect, it } from "vitest";
import { testCredentials } from "../../../devkit/localBindings";
import { callWorker } from "../../support/worker/callWorker";
import { createSignedInteractionRequest, signBody } from "../../support/worker/signInteraction";

const commandInteraction = (locale: string) => ({
  id: "200000000000000001",
  application_id: testCredentials.discordApplicationId,
  type: 2,
  token: "interaction-token",
  version: 1,
  guild_id: "300000000000000001",
  channel_id: "400000000000000001",
  locale,
  member: { user: { id: "500000000000000001", username: "streamer" }, permissions: "2147483647" },
  data: { id: "600000000000000001", name: "does-not-exist", type: 1 },
});

describe("POST /interactions", () => {
  it("answers a signed PING with PONG", async () => {
    const response = await callWorker(await createSignedInteractionRequest({ type: 1 }));
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("application/json");
    expect(await response.json()).toEqual({ type: 1 });
  });

  it("answers a PING carrying Discord's full envelope", async () => {
    const response = await callWorker(
      await createSignedInteractionRequest({
        id: "1",
        application_id: testCredentials.discordApplicationId,
        type: 1,
        token: "t",
        version: 1,
      }),
    );
    expect(await response.json()).toEqual({ type: 1 });
  });

  it("refuses a bad signature with 401", async () => {
    const request = await createSignedInteractionRequest({ type: 1 });
    const tampered = new Request(request, { body: '{"type":1 }' });
    const response = await callWorker(tampered);
    expect(response.status).toBe(401);
  });

  it("refuses missing signature headers with 401", async () => {
    const response = await callWorker(
      new Request("https://liveloot.test/interactions", { method: "POST", body: '{"type":1}' }),
    );
    expect(response.status).toBe(401);
  });

  it("refuses a correctly signed but stale request with 401", async () => {
    const sixMinutesAgo = Math.floor(Date.now() / 1000) - 6 * 60;
    const response = await callWorker(await createSignedInteractionRequest({ type: 1 }, { timestamp: sixMinutesAgo }));
    expect(response.status).toBe(401);
  });

  it("refuses a correctly signed request from the future with 401", async () => {
    const sixMinutesAhead = Math.floor(Date.now() / 1000) + 6 * 60;
    const response = await callWorker(
      await createSignedInteractionRequest({ type: 1 }, { timestamp: sixMinutesAhead }),
    );
    expect(response.status).toBe(401);
  });

  it("answers signed malformed JSON with 400", async () => {
    const response = await callWorker(await createSignedInteractionRequest(null, { body: '{"type":1' }));
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: "Request body is not valid JSON." });
  });

  it("answers signed JSON that is not an interaction with 400", async () => {
    const response = await callWorker(await createSignedInteractionRequest({ hello: "world" }));
    expect(response.status).toBe(400);
  });

  it("answers a command it does not know with an ephemeral message naming it, not a 5xx", async () => {
    const response = await callWorker(await createSignedInteractionRequest(commandInteraction("en-US")));
    expect(response.status).toBe(200);
    const body = (await response.json()) as { type: number; data: { content: string; flags: number } };
    expect(body.type).toBe(4);
    expect(body.data.flags & 64).toBe(64);
    expect(body.data.content).toBe("I don't know the command `does-not-exist`.");
  });

  it("answers in Portuguese for a pt-BR user", async () => {
    const response = await callWorker(await createSignedInteractionRequest(commandInteraction("pt-BR")));
    const body = (await response.json()) as { data: { content: string } };
    expect(body.data.content).toBe("Não conheço o comando `does-not-exist`.");
  });

  it("answers an interaction type it does not handle (a button) with 'not available yet'", async () => {
    const button = { ...commandInteraction("en-US"), type: 3, data: { custom_id: "x", component_type: 2 } };
    const response = await callWorker(await createSignedInteractionRequest(button));
    expect(response.status).toBe(200);
    const body = (await response.json()) as { type: number; data: { content: string; flags: number } };
    expect(body).toMatchObject({ type: 4, data: { flags: 64 } });
    expect(body.data.content).toMatch(/not available yet/i);
  });

  it("signs exactly timestamp + body (a signature over the body alone fails)", async () => {
    const body = '{"type":1}';
    const timestamp = String(Math.floor(Date.now() / 1000));
    const response = await callWorker(
      new Request("https://liveloot.test/interactions", {
        method: "POST",
        headers: { "x-signature-ed25519": await signBody(body, ""), "x-signature-timestamp": timestamp },
        body,
      }),
    );
    expect(response.status).toBe(401);
  });
});
