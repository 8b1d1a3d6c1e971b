// Preloaded (node --import) into a measured process: at exit, writes its CPU time (all
// threads), peak RSS and wall time since start to KAMFLOW_RUSAGE_OUT.<pid>.json. A process the
// measured one starts with the same flags (`kamflow analyze` runs again with a larger young
// generation) writes its own file.
import { writeFileSync } from 'node:fs';

const out = process.env.KAMFLOW_RUSAGE_OUT;
if (out) {
  process.on('exit', () => {
    const u = process.resourceUsage();
    writeFileSync(`${out}.${process.pid}.json`, JSON.stringify({
      cpuSeconds: (u.userCPUTime + u.systemCPUTime) / 1e6,
      maxRssBytes: u.maxRSS * 1024,
      wallSeconds: performance.now() / 1000,
    }));
  });
}
