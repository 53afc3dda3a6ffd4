#!/usr/bin/env node
// `npm test`: every tier, in order — type check, lint (module boundaries), unit, integration (real MariaDB, Redis,
// NATS), end-to-end (the five services as processes, driven by the openai SDK), never from the Nx cache. Stops at the
// first failing stage and prints one closing line "N passed, N failed". A skipped test counts as a failure: nothing
// may be skipped quietly.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const nx = join(root, 'node_modules/.bin/nx');
const env = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', FORCE_COLOR: '0' };
const only = process.argv.slice(2); // e.g. `npm test -- unit e2e`

const STAGES = [
  { name: 'typecheck', cmd: join(root, 'node_modules/.bin/tsc'), args: ['-p', 'tsconfig.json', '--noEmit'] },
  { name: 'lint', cmd: nx, args: ['run-many', '-t', 'lint', '--parallel=2', '--output-style=static', '--skip-nx-cache'] },
  { name: 'unit', cmd: nx, args: ['run-many', '-t', 'test', '--parallel=2', '--output-style=static', '--skip-nx-cache'] },
  { name: 'int', cmd: nx, args: ['run-many', '-t', 'int-test', '--parallel=1', '--output-style=static', '--skip-nx-cache'] },
  { name: 'e2e', cmd: nx, args: ['run', 'e2e:e2e', '--output-style=static', '--skip-nx-cache'] },
];

const totals = { passed: 0, failed: 0, skipped: 0 };
const TESTS_LINE = /^\s*Tests:\s+(.*?)\s*(\d+) total/;

function count(line) {
  const m = TESTS_LINE.exec(line);
  if (!m) return;
  for (const [, n, kind] of m[1].matchAll(/(\d+) (passed|failed|skipped|todo)/g)) {
    if (kind === 'passed') totals.passed += Number(n);
    else if (kind === 'failed') totals.failed += Number(n);
    else totals.skipped += Number(n);
  }
}

function runStage(stage) {
  return new Promise((resolve) => {
    const started = Date.now();
    console.log(`\n=== ${stage.name} ===`);
    const child = spawn(stage.cmd, stage.args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let buf = '';
    const onData = (d) => {
      process.stdout.write(d);
      buf += d.toString();
      const lines = buf.split('\n');
      buf = lines.pop();
      lines.forEach(count);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => {
      if (buf) count(buf);
      console.log(`=== ${stage.name}: ${code === 0 ? 'ok' : `FAILED (exit ${code})`} in ${Math.round((Date.now() - started) / 1000)} s ===`);
      resolve(code ?? 1);
    });
  });
}

let failedStage;
for (const stage of STAGES.filter((s) => !only.length || only.includes(s.name))) {
  if ((await runStage(stage)) !== 0) {
    failedStage = stage.name;
    break;
  }
}
if (totals.skipped) console.log(`\n${totals.skipped} test(s) were skipped or todo: every test must run (a missing service is a failure, not a skip).`);
if (failedStage) console.log(`\nStage '${failedStage}' failed.`);
console.log(`\n${totals.passed} passed, ${totals.failed + totals.skipped + (failedStage && !totals.failed ? 1 : 0)} failed`);
process.exit(failedStage || totals.skipped || totals.failed ? 1 : 0);
