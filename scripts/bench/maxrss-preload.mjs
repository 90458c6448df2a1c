// Loaded with `node --import <this file>`: on exit, writes the process's peak RSS (KiB, getrusage ru_maxrss)
// to $BENCH_RSS_FILE. Lets the benchmark measure the CLI's memory without touching product code.
import { writeFileSync } from 'node:fs';

const out = process.env.BENCH_RSS_FILE;
if (out) {
  process.on('exit', () => {
    try {
      writeFileSync(out, String(process.resourceUsage().maxRSS));
    } catch {
      // best effort: a missing figure is reported as such by the benchmark
    }
  });
}
