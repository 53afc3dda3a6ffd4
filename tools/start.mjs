#!/usr/bin/env node
// `npm start`: apply migrations, then run the five AISBF services (and the demo echo upstream the shipped config
// uses) as child processes, with their JSON logs on this terminal. Ctrl-C stops everything.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deploy } from './db/migrate.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const SERVICES = ['router', 'provider-workers', 'analytics', 'broker', 'edge-api'];
const env = { ...process.env };
env.AISBF_CONFIG_DIR = resolve(env.AISBF_CONFIG_DIR ?? join(root, 'config'));
env.SWC_NODE_PROJECT ??= join(root, 'tsconfig.base.json');
const port = env.AISBF_PORT ?? '17765';
const children = new Map();
let stopping = false;

function log(msg) {
  console.log(JSON.stringify({ service: 'start', msg }));
}

function run(name, args) {
  const child = spawn(process.execPath, args, { cwd: root, env, stdio: ['ignore', 'inherit', 'inherit'] });
  children.set(name, child);
  child.on('exit', (code, signal) => {
    children.delete(name);
    if (stopping) return;
    log(`${name} exited (${signal ?? code}); stopping the others`);
    shutdown(1);
  });
}

function shutdown(code = 0) {
  if (stopping) return;
  stopping = true;
  for (const c of children.values()) c.kill('SIGTERM');
  const t = setTimeout(() => {
    for (const c of children.values()) c.kill('SIGKILL');
    process.exit(code);
  }, 8000);
  const check = setInterval(() => {
    if (children.size === 0) {
      clearInterval(check);
      clearTimeout(t);
      process.exit(code);
    }
  }, 100);
}
process.on('SIGINT', () => shutdown(0));
process.on('SIGTERM', () => shutdown(0));

async function waitReady() {
  const url = `http://127.0.0.1:${port}/health/ready`;
  const deadline = Date.now() + 90_000;
  let last = '';
  while (Date.now() < deadline && !stopping) {
    try {
      const r = await fetch(url);
      last = await r.text();
      if (r.ok) return true;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  log(`not ready after 90 s: ${last}`);
  return false;
}

try {
  await deploy({ url: env.DATABASE_URL, log: (m) => log(m) });
} catch (err) {
  console.error(`Migrations failed: ${err.message}\nIs MySQL/MariaDB running and DATABASE_URL right (default mysql://root@127.0.0.1:3306/aisbf)?`);
  process.exit(1);
}

const providersFile = join(env.AISBF_CONFIG_DIR, 'providers.json');
const wantsDemo = existsSync(providersFile) && /"demo"\s*:/.test(readFileSync(providersFile, 'utf8')) && env.AISBF_DEMO_UPSTREAM !== 'false';
if (wantsDemo) run('demo-upstream', ['-r', '@swc-node/register', join(root, 'tools/demo-upstream.ts'), env.AISBF_DEMO_UPSTREAM_PORT ?? '17790']);
for (const s of SERVICES) run(s, [join(root, 'tools/run-service.mjs'), s]);

if (await waitReady()) {
  log(`AISBF is ready: OpenAI-compatible API at http://127.0.0.1:${port}/v1 (config: ${env.AISBF_CONFIG_DIR})`);
}
