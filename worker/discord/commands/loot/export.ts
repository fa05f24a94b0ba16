import { listItems } from "../../../db/lootItems";
import { translate } from "../../../i18n/translate";
import { formatLootCsv } from "../../../raffle/lootFile";
import { UserFacingError } from "../CommandGroup";
import { defineSubcommand } from "../defineSubcommand";
import { editReplyWithFile } from "./editReplyWithFile";

/**
 * /loot export: the loot table as `loot.csv` (name,weight,stock), the format `/loot import file`
 * reads, only to the invoker. Deferred, because a file goes in an edit of the reply.
 */
export const exportItems = defineSubcommand({
  key: "loot.export",
  async run(invocation) {
    return {
      kind: "deferred",
      ephemeral: true,
      async complete() {
        const items = await listItems(invocation.app.database, invocation.guildId);
        if (items.length === 0) throw new UserFacingError("lootExportEmpty");
        const filename = "loot.csv";
        const body = {
          content: translate(invocation.locale, "lootExported", { count: items.length, filename }),
        };
        await editReplyWithFile(invocation.app.config, invocation, body, {
          filename,
          contentType: "text/csv; charset=utf-8",
          content: formatLootCsv(items),
        });
        // The caller edits the reply once more with this body; without `attachments` the file stays.
        return body;
      },
    };
  },
});
