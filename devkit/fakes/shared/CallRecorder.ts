import type { CallFilter, CallList, CallRecord } from "./controlSchemas";
import { describeSearchableText } from "./describeSearchableText";

/** Past this many records the oldest are dropped, so a long `npm run dev` session stays small. */
const maximumRecords = 50_000;

/** Every call a fake received, in arrival order, already redacted. */
export class CallRecorder {
  private records: CallRecord[] = [];
  private lastSequence = 0;

  takeSequence(): number {
    this.lastSequence += 1;
    return this.lastSequence;
  }

  addRecord(record: CallRecord): void {
    this.records.push(record);
    if (this.records.length > maximumRecords) this.records.splice(0, this.records.length - maximumRecords);
  }

  listCalls(filter: CallFilter, onlyUnexpected: boolean): CallList {
    const calls = this.records
      .filter((record) => !onlyUnexpected || record.unexpected)
      .filter((record) => filter.method === undefined || record.method === filter.method.toUpperCase())
      .filter((record) => filter.pathPrefix === undefined || record.path.startsWith(filter.pathPrefix))
      .filter((record) => filter.since === undefined || record.sequence > filter.since)
      .filter((record) => filter.contains === undefined || describeSearchableText(record).includes(filter.contains))
      .sort((first, second) => first.sequence - second.sequence);
    return { calls, lastSequence: this.lastSequence };
  }

  clear(): void {
    this.records = [];
  }
}
