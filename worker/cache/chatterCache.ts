import * as z from "zod/mini";
import type { Candidate } from "../db/draws";
import type { Redis } from "./createRedis";

/**
 * Chatter lists per broadcaster, cached for about a minute (see cache/README.md). Stored as a
 * Redis set so a tick can ask for a random sample (SRANDMEMBER) instead of moving the whole
 * chat: a 100,000-viewer channel costs the same database work as a 50-viewer one.
 *
 * Freshness is judged by the caller's "now" (a tick's scheduledTime), against the time the list
 * was fetched, stored with its count: a replayed or simulated minute sees the cache as that
 * minute would. The Redis TTL only bounds memory.
 */
// Ticks come 60 s apart: a list must outlive one minute to spare the next tick a Get Chatters,
// and at 75 s every other tick is served from the cache while no list is older than that.
export const chatterCacheSeconds = 75;
const writeChunkSize = 1000;

export function chatterSetKey(broadcasterId: string): string {
  return `liveloot:chatters:${broadcasterId}`;
}

export function chatterCountKey(broadcasterId: string): string {
  return `liveloot:chatters:${broadcasterId}:count`;
}

const memberSchema = z.tuple([z.string(), z.string(), z.string()]);
/** The count key's value; the client JSON-encodes it on write and decodes it on read. */
const countValueSchema = z.object({ count: z.number().check(z.int(), z.gte(0)), fetchedAt: z.number() });

/** The stored count and fetch time; a value in another shape (an older layout) reads as absent. */
function decodeCountValue(value: unknown): z.infer<typeof countValueSchema> | undefined {
  try {
    const parsed = countValueSchema.safeParse(typeof value === "string" ? JSON.parse(value) : value);
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

function encodeMember(chatter: Candidate): string {
  return JSON.stringify([chatter.id, chatter.login, chatter.name]);
}

function decodeMember(member: unknown): Candidate | undefined {
  try {
    const parsed = memberSchema.safeParse(typeof member === "string" ? JSON.parse(member) : member);
    return parsed.success ? { id: parsed.data[0], login: parsed.data[1], name: parsed.data[2] } : undefined;
  } catch {
    return undefined;
  }
}

export interface CachedSample {
  /** How many chatters the cached list holds (the sample is at most `sampleSize` of them). */
  total: number;
  sample: Candidate[];
}

/**
 * A random sample of each broadcaster's cached chatters, in one pipeline for all of them; a
 * broadcaster with nothing fresh at `now` (fetched `chatterCacheSeconds` or more before it) is
 * absent from the map.
 */
export async function readChatterSamples(
  redis: Redis,
  broadcasterIds: string[],
  sampleSize: number,
  now: number,
): Promise<Map<string, CachedSample>> {
  const pipeline = redis.pipeline();
  for (const broadcasterId of broadcasterIds) {
    pipeline.get(chatterCountKey(broadcasterId));
    pipeline.srandmember(chatterSetKey(broadcasterId), sampleSize);
  }
  const results: unknown[] = await pipeline.exec();
  const samples = new Map<string, CachedSample>();
  broadcasterIds.forEach((broadcasterId, index) => {
    const stored = decodeCountValue(results[index * 2]);
    const members = results[index * 2 + 1];
    if (stored === undefined || now - stored.fetchedAt >= chatterCacheSeconds * 1000) return;
    const total = stored.count;
    const sample = (Array.isArray(members) ? members : []).map(decodeMember).filter((entry) => entry !== undefined);
    if (total > 0 && sample.length === 0) return;
    samples.set(broadcasterId, { total, sample });
  });
  return samples;
}

/**
 * Replaces the cached list in one pipeline; the count key, with `fetchedAt` (the caller's "now"
 * when it asked Twitch), marks how fresh it is.
 */
export async function writeChatters(
  redis: Redis,
  broadcasterId: string,
  chatters: readonly Candidate[],
  fetchedAt: number,
): Promise<void> {
  const setKey = chatterSetKey(broadcasterId);
  const pipeline = redis.pipeline();
  pipeline.del(setKey);
  for (let start = 0; start < chatters.length; start += writeChunkSize) {
    const members = chatters.slice(start, start + writeChunkSize).map(encodeMember);
    const [first, ...rest] = members;
    if (first !== undefined) pipeline.sadd(setKey, first, ...rest);
  }
  pipeline.expire(setKey, chatterCacheSeconds);
  pipeline.set(
    chatterCountKey(broadcasterId),
    { count: chatters.length, fetchedAt },
    {
      ex: chatterCacheSeconds,
    },
  );
  await pipeline.exec();
}

/** The last known chatter count (for /raffle status), or undefined. */
export async function readChatterCount(redis: Redis, broadcasterId: string): Promise<number | undefined> {
  return decodeCountValue(await redis.get<unknown>(chatterCountKey(broadcasterId)))?.count;
}
