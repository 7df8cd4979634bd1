// Memory of a running desktop app and its WebKit processes, from /proc: the app's pid and its
// descendants, and PSS/RSS per process (smaps_rollup). Used by measure.mjs and soak.mjs.
import { mkdirSync, readFileSync, readdirSync, readlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** Every process: pid → {ppid, exe}. */
function processes() {
  const out = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      let exe = '';
      try {
        exe = readlinkSync(`/proc/${name}/exe`);
      } catch {
        // Not ours to read, or gone.
      }
      out.set(Number(name), { ppid, exe });
    } catch {
      // Gone meanwhile.
    }
  }
  return out;
}

/** The app's pid and its descendants (WebKit's web and network processes). */
export function appTree(bin) {
  const all = processes();
  const app = [...all].find(([, p]) => p.exe === bin)?.[0];
  if (!app) throw new Error(`no running ${bin}`);
  const tree = [app];
  for (let i = 0; i < tree.length; i++) {
    for (const [pid, p] of all) if (p.ppid === tree[i]) tree.push(pid);
  }
  return tree.map((pid) => ({ pid, exe: path.basename(all.get(pid).exe) }));
}

/** PSS and RSS in KiB from /proc/PID/smaps_rollup. */
export function memory(pid) {
  const text = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  const kib = (key) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0);
  return { pss: kib('Pss'), rss: kib('Rss') };
}

/** The app tree with each process's memory, and the sums. */
export function treeMemory(bin) {
  const parts = appTree(bin).map((p) => ({ ...p, ...memory(p.pid) }));
  return { parts, pss: parts.reduce((s, p) => s + p.pss, 0), rss: parts.reduce((s, p) => s + p.rss, 0) };
}

/** Keeps /proc/PID/smaps of each process in `dir` (KEFU_MEASURE_MAPS), to see what the PSS is. */
export function keepMaps(tree, dir) {
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  for (const p of tree) {
    // /proc files report a size of 0: read them, do not copy them.
    writeFileSync(path.join(dir, `${p.exe}.${p.pid}.smaps`), readFileSync(`/proc/${p.pid}/smaps`));
  }
}
