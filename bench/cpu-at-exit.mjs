// Preloaded (`node --import ./bench/cpu-at-exit.mjs …`) by bench:contract: when the process exits, its CPU time
// (user and system, µs) goes to the file $BENCH_CPU_FILE. A parent cannot read a child's CPU time once it is reaped.
import { writeFileSync } from 'node:fs';

const file = process.env.BENCH_CPU_FILE;
if (file) process.on('exit', () => writeFileSync(file, JSON.stringify(process.cpuUsage())));
