import { defineCommandGroup } from "../CommandGroup";
import { add } from "./add";
import { codes } from "./codes";
import { exportItems } from "./export";
import { importItems } from "./import";
import { list } from "./list";
import { remove } from "./remove";

/** /loot: the server's loot table. */
export const lootCommands = defineCommandGroup("loot", [add, importItems, exportItems, codes, remove, list]);
