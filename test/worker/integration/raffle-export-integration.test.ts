import { describe, expect, it } from "vitest";
import { testCredentials } from "../../../devkit/localBindings";
import { optionLimits } from "../../../worker/discord/commands/optionLimits";
import {
  createLinkedScene,
  createRunningRaffle,
  expectEphemeralReply,
  message,
  useTestDatabase,
} from "../../support/worker/commandHelpers";
import { runCommand } from "../../support/worker/fakes";
import { createScene } from "../../support/worker/interactions";

// /raffle export, the `rules` option of /raffle start and the "Raffle page" button of the start
// reply. Every answer goes through the Discord fake, which refuses what Discord would (a button
// URL over 512 characters, more than 5 buttons in a row, a label over 80 characters). These tests
// run no tick, so they use the shared database.
const database = useTestDatabase();

const origin = testCredentials.publicBaseUrl;

interface Button {
  type: number;
  style: number;
  label: string;
  url: string;
}

function readButtons(body: { data?: { components?: unknown[] } }): Button[] {
  const rows = (body.data?.components ?? []) as { type: number; components: Button[] }[];
  return rows.flatMap((row) => {
    expect(row.type).toBe(1);
    return row.components;
  });
}

async function readRaffleRecords(guildId: string) {
  return database.query<{ public_id: string; rules: string | null; status: string }>(
    "select public_id, rules, status from raffles where guild_id = $1 order by id",
    [guildId],
  );
}

function escapeLogin(login: string): string {
  return login.replace(/_/g, "\\_");
}

describe("/raffle export", () => {
  it("links to the running raffle's public page, .json and .csv, as text and as link buttons, only to the asker", async () => {
    const { scene, streamer } = await createRunningRaffle();
    const [raffle] = await readRaffleRecords(scene.guildId);
    const publicId = raffle?.public_id ?? "";
    // 22 URL-safe characters from a random UUID: never the database id.
    expect(publicId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    const urls = {
      page: `${origin}/r/${publicId}`,
      json: `${origin}/r/${publicId}.json`,
      csv: `${origin}/r/${publicId}.csv`,
    };

    const result = await runCommand(scene, "raffle", "export");
    expectEphemeralReply(result, message("raffleExportCurrent", { login: escapeLogin(streamer.login), ...urls }));
    expect(result.body.data?.content).toContain(`Page: <${urls.page}>`);
    expect(readButtons(result.body)).toEqual([
      { type: 2, style: 5, label: "Public page", url: urls.page },
      { type: 2, style: 5, label: "JSON", url: urls.json },
      { type: 2, style: 5, label: "CSV", url: urls.csv },
    ]);
    expect(result.discord.ok).toBe(true);
  });

  it("links to the latest raffle once it has stopped, and to the new one once another starts", async () => {
    const { scene, streamer } = await createRunningRaffle();
    const [first] = await readRaffleRecords(scene.guildId);
    await runCommand(scene, "raffle", "stop");

    const afterStop = await runCommand(scene, "raffle", "export");
    expectEphemeralReply(
      afterStop,
      message("raffleExportLatest", {
        login: escapeLogin(streamer.login),
        page: `${origin}/r/${first?.public_id}`,
        json: `${origin}/r/${first?.public_id}.json`,
        csv: `${origin}/r/${first?.public_id}.csv`,
      }),
    );

    await runCommand(scene, "raffle", "start");
    const raffles = await readRaffleRecords(scene.guildId);
    expect(raffles.map((raffle) => raffle.status)).toEqual(["stopped", "running"]);
    const second = raffles[1]?.public_id;
    expect(second).not.toBe(first?.public_id);
    const afterRestart = await runCommand(scene, "raffle", "export");
    expect(readButtons(afterRestart.body).map((button) => button.url)).toEqual([
      `${origin}/r/${second}`,
      `${origin}/r/${second}.json`,
      `${origin}/r/${second}.csv`,
    ]);
  });

  it("links to a paused raffle rather than an older stopped one", async () => {
    const { scene } = await createRunningRaffle();
    await runCommand(scene, "raffle", "stop");
    await runCommand(scene, "raffle", "start");
    await database.query(
      "update raffles set status = 'paused', status_reason = 'channel_unavailable' where guild_id = $1 and status = 'running'",
      [scene.guildId],
    );
    const [, paused] = await readRaffleRecords(scene.guildId);
    const result = await runCommand(scene, "raffle", "export");
    expect(result.body.data?.content).toMatch(/^📄 The public record of the raffle/);
    expect(readButtons(result.body)[0]?.url).toBe(`${origin}/r/${paused?.public_id}`);
  });

  it("says there is nothing to export when the server never had a raffle", async () => {
    const scene = createScene();
    const result = await runCommand(scene, "raffle", "export");
    expectEphemeralReply(result, message("raffleExportNone"));
    expect(result.body.data?.components ?? []).toEqual([]);
  });

  it("answers in pt-BR, buttons included", async () => {
    const { scene, streamer } = await createRunningRaffle({ locale: "pt-BR" });
    const [raffle] = await readRaffleRecords(scene.guildId);
    const result = await runCommand(scene, "raffle", "export");
    expectEphemeralReply(
      result,
      message(
        "raffleExportCurrent",
        {
          login: escapeLogin(streamer.login),
          page: `${origin}/r/${raffle?.public_id}`,
          json: `${origin}/r/${raffle?.public_id}.json`,
          csv: `${origin}/r/${raffle?.public_id}.csv`,
        },
        "pt-BR",
      ),
    );
    expect(result.body.data?.content).toMatch(/^📄 O registro público do sorteio/);
    expect(readButtons(result.body).map((button) => button.label)).toEqual(["Página pública", "JSON", "CSV"]);

    const none = await runCommand(createScene({ locale: "pt-BR" }), "raffle", "export");
    expectEphemeralReply(none, message("raffleExportNone", {}, "pt-BR"));
  });

  it("needs Manage Server, like every management command", async () => {
    const { scene } = await createRunningRaffle();
    const viewer = { ...scene, permissions: String(1n << 11n) };
    const result = await runCommand(viewer, "raffle", "export");
    expectEphemeralReply(result, message("needsManageServer"));
    expect(result.body.data?.components ?? []).toEqual([]);
  });

  it("keeps every link within Discord's 512 characters, even under a long https origin", async () => {
    const { scene } = await createRunningRaffle();
    // A 63-character DNS label (the longest allowed) and a path prefix: far longer than a real origin.
    const longOrigin = `https://${"a".repeat(63)}.workers.example-company-domain.dev/liveloot`;
    const result = await runCommand(scene, "raffle", "export", {}, { bindings: { PUBLIC_BASE_URL: longOrigin } });
    const buttons = readButtons(result.body);
    expect(buttons).toHaveLength(3);
    for (const button of buttons) {
      expect(button.url.startsWith(`${longOrigin}/r/`)).toBe(true);
      expect(new URL(button.url).protocol).toBe("https:");
      expect(button.url.length).toBeLessThanOrEqual(512);
    }
    expect(result.discord.ok).toBe(true);
  });
});

describe("/raffle start rules", () => {
  async function startWithLoot(options: Record<string, string | number | boolean>, locale?: string) {
    const { scene } = await createLinkedScene(locale ? { locale } : {});
    await runCommand(scene, "loot", "add", { name: "Sword", weight: 1 });
    const result = await runCommand(scene, "raffle", "start", options);
    return { scene, result };
  }

  it("stores the rules trimmed, and the start reply links to the raffle's public page", async () => {
    const rules = "One prize per viewer.\nWinners must claim within 15 minutes. Good luck!";
    const { scene, result } = await startWithLoot({ rules: `  ${rules}\n ` });
    expect(result.body.data?.content).toMatch(/^🎁 Raffle started/);
    const [raffle] = await readRaffleRecords(scene.guildId);
    expect(raffle?.rules).toBe(rules);
    expect(readButtons(result.body)).toEqual([
      { type: 2, style: 5, label: "Raffle page", url: `${origin}/r/${raffle?.public_id}` },
    ]);
  });

  it("stores no rules when the option is omitted or only blank", async () => {
    const omitted = await startWithLoot({});
    expect((await readRaffleRecords(omitted.scene.guildId))[0]?.rules).toBeNull();
    const blank = await startWithLoot({ rules: "   \n  " });
    expect(blank.result.body.data?.content).toMatch(/^🎁 Raffle started/);
    expect((await readRaffleRecords(blank.scene.guildId))[0]?.rules).toBeNull();
  });

  it("accepts exactly 1000 characters and refuses 1001, in the user's language, starting nothing", async () => {
    const { maximum } = optionLimits.raffleRules;
    expect(maximum).toBe(1000);
    const longest = await startWithLoot({ rules: "r".repeat(maximum) });
    expect(longest.result.body.data?.content).toMatch(/^🎁 Raffle started/);
    expect((await readRaffleRecords(longest.scene.guildId))[0]?.rules).toHaveLength(maximum);

    const tooLong = await startWithLoot({ rules: "r".repeat(maximum + 1) });
    expectEphemeralReply(tooLong.result, "`rules` can be at most 1000 characters long.");
    expect(await readRaffleRecords(tooLong.scene.guildId)).toEqual([]);

    const portuguese = await startWithLoot({ rules: "r".repeat(maximum + 1) }, "pt-BR");
    expectEphemeralReply(portuguese.result, "`regras` pode ter no máximo 1000 caracteres.");
    expect(await readRaffleRecords(portuguese.scene.guildId)).toEqual([]);
  });

  it("gives a paused raffle started again its new rules and keeps its public id", async () => {
    const { scene } = await startWithLoot({ rules: "Old rules" });
    const [before] = await readRaffleRecords(scene.guildId);
    await database.query(
      "update raffles set status = 'paused', status_reason = 'channel_unavailable' where guild_id = $1",
      [scene.guildId],
    );
    const restarted = await runCommand(scene, "raffle", "start", { rules: "New rules" });
    const raffles = await readRaffleRecords(scene.guildId);
    expect(raffles).toEqual([{ public_id: before?.public_id, rules: "New rules", status: "running" }]);
    expect(readButtons(restarted.body)[0]?.url).toBe(`${origin}/r/${before?.public_id}`);
  });
});
