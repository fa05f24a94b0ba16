import { readdir, readFile, writeFile } from "node:fs/promises";

/** CPU and memory of the workerd processes this benchmark started, read from Linux's /proc. */
export interface WorkerdSample {
  /** CPU time of workerd's main threads (where the Worker's JavaScript runs), in milliseconds. */
  mainThreadCpuMilliseconds: number;
  /** CPU time of every thread of workerd (V8's background compiler and GC included), in milliseconds. */
  cpuMilliseconds: number;
  /** Resident memory now, in bytes (summed over those processes). */
  residentBytes: number;
  /** The highest resident memory since the last reset (VmHWM), in bytes. */
  peakResidentBytes: number;
}

/**
 * The Worker's own cost as the operating system sees it: wrangler's local runtime runs the Worker
 * in a workerd child process (the fakes, proxies and database bridges stay in this Node process),
 * so that process's CPU time around a tick is the tick's CPU in workerd (an upper bound of what
 * Cloudflare bills: workerd's own socket and HTTP handling count here too). CPU comes from each
 * thread's /proc/PID/task/TID/schedstat (nanoseconds on CPU), memory from /proc/PID/status. Linux only.
 */
export class WorkerdUsage {
  private constructor(private readonly processIds: number[]) {}

  /** Finds the workerd processes descending from this one (after the bench Worker started). */
  static async find(): Promise<WorkerdUsage> {
    const entries = await readdir("/proc");
    const parents = new Map<number, { parent: number; name: string }>();
    for (const entry of entries) {
      if (!/^\d+$/.test(entry)) continue;
      const stat = await readStat(Number(entry)).catch(() => undefined);
      if (stat) parents.set(Number(entry), { parent: stat.parent, name: stat.name });
    }
    const descends = (processId: number): boolean => {
      for (
        let current = parents.get(processId)?.parent;
        current !== undefined;
        current = parents.get(current)?.parent
      ) {
        if (current === process.pid) return true;
        if (current <= 1) return false;
      }
      return false;
    };
    const workerd = [...parents].filter(([processId, { name }]) => name === "workerd" && descends(processId));
    if (workerd.length === 0) throw new Error("no workerd process under this benchmark (Linux /proc only)");
    return new WorkerdUsage(workerd.map(([processId]) => processId));
  }

  /** Resets the peak resident memory (Linux: `5` into /proc/PID/clear_refs), so the next sample's peak is the tick's. */
  async resetPeak(): Promise<void> {
    await Promise.all(this.processIds.map((processId) => writeFile(`/proc/${processId}/clear_refs`, "5")));
  }

  async sample(): Promise<WorkerdSample> {
    const samples = await Promise.all(
      this.processIds.map(async (processId) => {
        const threads = await readdir(`/proc/${processId}/task`);
        const onCpu = await Promise.all(
          threads.map(async (thread) => ({
            main: Number(thread) === processId,
            nanoseconds: await readFile(`/proc/${processId}/task/${thread}/schedstat`, "utf8").then(
              (text) => Number(text.split(" ")[0]),
              () => 0,
            ),
          })),
        );
        const status = await readFile(`/proc/${processId}/status`, "utf8");
        return {
          mainThreadCpuMilliseconds:
            onCpu.filter((entry) => entry.main).reduce((sum, entry) => sum + entry.nanoseconds, 0) / 1e6,
          cpuMilliseconds: onCpu.reduce((sum, entry) => sum + entry.nanoseconds, 0) / 1e6,
          residentBytes: readKilobytes(status, "VmRSS") * 1024,
          peakResidentBytes: readKilobytes(status, "VmHWM") * 1024,
        };
      }),
    );
    return samples.reduce((sum, sample) => ({
      mainThreadCpuMilliseconds: sum.mainThreadCpuMilliseconds + sample.mainThreadCpuMilliseconds,
      cpuMilliseconds: sum.cpuMilliseconds + sample.cpuMilliseconds,
      residentBytes: sum.residentBytes + sample.residentBytes,
      peakResidentBytes: sum.peakResidentBytes + sample.peakResidentBytes,
    }));
  }
}

async function readStat(processId: number) {
  const text = await readFile(`/proc/${processId}/stat`, "utf8");
  // The name is in parentheses and may hold spaces; the fields after it are space-separated.
  const close = text.lastIndexOf(")");
  const name = text.slice(text.indexOf("(") + 1, close);
  const fields = text
    .slice(close + 2)
    .split(" ")
    .map((field) => Number(field));
  // After the name: state (0), ppid (1), …
  return { name, parent: fields[1] ?? 0 };
}

function readKilobytes(status: string, field: string): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status);
  return match?.[1] ? Number(match[1]) : 0;
}
