import type { Redis } from "@upstash/redis/cloudflare";
import { z } from "zod";
import type { Candidate } from "../db/draws";

/**
 * Chatter lists per broadcaster, cached for about a minute (see cache/README.md). Stored as a
 * Redis set so a tick can ask for a random sample (SRANDMEMBER) instead of moving the whole
 * chat: a 100,000-viewer channel costs the same database work as a 50-viewer one.
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
 * broadcaster with nothing fresh cached is absent from the map.
 */
export async function readChatterSamples(
  redis: Redis,
  broadcasterIds: string[],
  sampleSize: number,
): Promise<Map<string, CachedSample>> {
  const pipeline = redis.pipeline();
  for (const broadcasterId of broadcasterIds) {
    pipeline.get(chatterCountKey(broadcasterId));
    pipeline.srandmember(chatterSetKey(broadcasterId), sampleSize);
  }
  const results: unknown[] = await pipeline.exec();
  const samples = new Map<string, CachedSample>();
  broadcasterIds.forEach((broadcasterId, index) => {
    const count = results[index * 2];
    const members = results[index * 2 + 1];
    if (count === null || count === undefined) return;
    const total = Number(count);
    const sample = (Array.isArray(members) ? members : []).map(decodeMember).filter((entry) => entry !== undefined);
    if (!Number.isFinite(total) || (total > 0 && sample.length === 0)) return;
    samples.set(broadcasterId, { total, sample });
  });
  return samples;
}

/** Replaces the cached list in one pipeline; the count key marks the cache as fresh. */
export async function writeChatters(
  redis: Redis,
  broadcasterId: string,
  chatters: readonly Candidate[],
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
  pipeline.set(chatterCountKey(broadcasterId), chatters.length, { ex: chatterCacheSeconds });
  await pipeline.exec();
}

/** The last known chatter count (for /raffle status), or undefined. */
export async function readChatterCount(redis: Redis, broadcasterId: string): Promise<number | undefined> {
  const count = await redis.get<number>(chatterCountKey(broadcasterId));
  return count === null ? undefined : Number(count);
}
