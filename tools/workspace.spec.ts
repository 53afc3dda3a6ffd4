import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = join(__dirname, '..');

function projectFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.') || name === 'dist' || name === 'tmp') continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) projectFiles(p, out);
    else if (name === 'project.json') out.push(p);
  }
  return out;
}

const projects = [...projectFiles(join(ROOT, 'apps')), ...projectFiles(join(ROOT, 'libs')), join(ROOT, 'tools/project.json')].map((file) => ({
  file: relative(ROOT, file),
  json: JSON.parse(readFileSync(file, 'utf8')) as { name: string; tags?: string[]; projectType?: string; sourceRoot?: string },
}));

describe('workspace rules', () => {
  it.each(projects.map((p) => [p.file, p.json] as const))('%s has a scope:* and a type:* tag', (_file, json) => {
    expect(json.tags?.some((t) => t.startsWith('scope:'))).toBe(true);
    expect(json.tags?.some((t) => t.startsWith('type:'))).toBe(true);
  });

  it('every library has exactly one public entry, src/index.ts, mapped in tsconfig.base.json', () => {
    const paths = JSON.parse(readFileSync(join(ROOT, 'tsconfig.base.json'), 'utf8')).compilerOptions.paths as Record<string, string[]>;
    const libs = projects.filter((p) => p.json.projectType === 'library' && p.file.startsWith('libs/'));
    for (const lib of libs) {
      const entry = `${lib.json.sourceRoot}/index.ts`;
      expect(existsSync(join(ROOT, entry))).toBe(true);
      expect(Object.values(paths).filter((v) => v[0] === entry)).toHaveLength(1);
    }
    for (const [alias, [target]] of Object.entries(paths)) expect([alias, existsSync(join(ROOT, target!))]).toEqual([alias, true]);
  });
});

describe('module boundaries are enforced by lint', () => {
  // ESLint loads its flat config with a dynamic import, which Jest's VM cannot run: lint the snippets in one child.
  const LINTER = `
    const { ESLint } = require('eslint');
    const cases = JSON.parse(require('fs').readFileSync(0, 'utf8'));
    (async () => {
      const eslint = new ESLint({ cwd: ${JSON.stringify(ROOT)} });
      const out = [];
      for (const c of cases) {
        const [r] = await eslint.lintText(c.code, { filePath: require('path').join(${JSON.stringify(ROOT)}, c.file) });
        out.push(r.messages.filter((m) => m.ruleId === '@nx/enforce-module-boundaries').map((m) => m.message));
      }
      process.stdout.write(JSON.stringify(out));
    })();`;
  const cases: Array<{ file: string; code: string }> = [];
  const results: string[][] = [];
  const violations = (file: string, code: string) => {
    cases.push({ file, code });
    const i = cases.length - 1;
    return () => results[i]!;
  };
  const checks = {
    adapterNats: violations('libs/provider-adapters/src/x.ts', "import { connect } from 'nats';\nexport const x = connect;\n"),
    adapterPrisma: violations('libs/provider-adapters/src/x.ts', "import { PrismaClient } from '@prisma/client';\nexport const x = PrismaClient;\n"),
    adapterPlatform: violations('libs/provider-adapters/src/x.ts', "import { MessagingClient } from '@aisbf/platform-messaging';\nexport const x = MessagingClient;\n"),
    contracts: violations('libs/contracts/src/x.ts', "import { AppError } from '@aisbf/platform-errors';\nexport const x = AppError;\n"),
    deep: violations('apps/router/src/x.ts', "import { loadEnv } from '../../../libs/platform/config/src/env';\nexport const x = loadEnv;\n"),
    appImportsApp: violations('apps/router/src/x.ts', "import { ChatForwarder } from '../../edge-api/src/app/chat/chat-forwarder.service';\nexport const x = ChatForwarder;\n"),
    okAdapter: violations('libs/provider-adapters/src/x.ts', "import { AppError } from '@aisbf/platform-errors';\nexport const x = AppError;\n"),
    okRouter: violations('apps/router/src/x.ts', "import { resolveRoute } from '@aisbf/routing';\nexport const x = resolveRoute;\n"),
  };

  beforeAll(() => {
    const out = execFileSync(process.execPath, ['-e', LINTER], { cwd: ROOT, input: JSON.stringify(cases), encoding: 'utf8' });
    results.push(...(JSON.parse(out) as string[][]));
  });

  it('adapters may not import NATS, Prisma or platform libraries', () => {
    expect(checks.adapterNats()).not.toHaveLength(0);
    expect(checks.adapterPrisma()).not.toHaveLength(0);
    expect(checks.adapterPlatform()).not.toHaveLength(0);
  });

  it('contracts depend on nothing', () => {
    expect(checks.contracts()).not.toHaveLength(0);
  });

  it('no deep imports into another library, no imports from another service', () => {
    expect(checks.deep()).not.toHaveLength(0);
    expect(checks.appImportsApp()).not.toHaveLength(0);
  });

  it('allowed imports pass', () => {
    expect(checks.okAdapter()).toEqual([]);
    expect(checks.okRouter()).toEqual([]);
  });
});
