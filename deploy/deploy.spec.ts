/**
 * Validation of the deployment files without Docker or helm: docker-compose.yml, the Dockerfile, the OpenTelemetry
 * collector config and the Helm chart (values.yaml parsed, templates checked statically against it).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseYaml, YamlError, type YamlMap, type YamlValue } from './test-support/mini-yaml';
import { checkIncludes, checkStructure, checkValuePaths, scanActions, type TemplateAction } from './test-support/template-check';

const ROOT = resolve(__dirname, '..');
const CHART = join(ROOT, 'deploy/helm/aisbf');
const read = (p: string) => readFileSync(join(ROOT, p), 'utf8');
const yaml = (p: string) => parseYaml(read(p), p);

const isMap = (v: YamlValue | undefined): v is YamlMap => typeof v === 'object' && v !== null && !Array.isArray(v);
function map(v: YamlValue | undefined, what: string): YamlMap {
  if (!isMap(v)) throw new Error(`${what} is not a mapping`);
  return v;
}

/** The five services, their health/API port and the variable that sets it (fixed by the architecture). */
const SERVICES: Record<string, { port: number; portEnv: string }> = {
  'edge-api': { port: 17765, portEnv: 'AISBF_PORT' },
  router: { port: 17770, portEnv: 'AISBF_HEALTH_PORT' },
  'provider-workers': { port: 17771, portEnv: 'AISBF_HEALTH_PORT' },
  analytics: { port: 17772, portEnv: 'AISBF_HEALTH_PORT' },
  broker: { port: 17773, portEnv: 'AISBF_HEALTH_PORT' },
};
const COMMON_ENV = [
  'DATABASE_URL',
  'REDIS_URL',
  'NATS_URL',
  'AISBF_CONFIG_DIR',
  'AISBF_NATS_PREFIX',
  'AISBF_REDIS_PREFIX',
  'OTEL_EXPORTER_OTLP_ENDPOINT',
  'LOG_LEVEL',
  'AISBF_SECRET_KEY',
  'AISBF_MIGRATE_ON_START',
];
const CONFIG_FILES = ['providers', 'rotations', 'autoselect', 'aisbf'];

describe('mini YAML reader (used by the checks below)', () => {
  it('reads mappings, sequences, flow collections, block scalars, anchors and merge keys', () => {
    const doc = parseYaml(
      [
        'x-base: &base',
        '  image: app:1',
        '  env: &env',
        '    A: "1"',
        '    B: two # comment',
        'list:',
        '- a',
        '- key: v',
        '  other: [x, "y, z", {k: 2}]',
        'svc:',
        '  <<: *base',
        '  env:',
        '    <<: *env',
        '    C: 3',
        '  image: app:2',
        'text: |',
        '  line 1',
        '',
        '  line 3',
        'empty: {}',
        'url: mysql://u:p@h:3306/db',
        'flag: false',
        'nothing:',
      ].join('\n'),
    );
    expect(doc).toEqual({
      'x-base': { image: 'app:1', env: { A: '1', B: 'two' } },
      list: ['a', { key: 'v', other: ['x', 'y, z', { k: 2 }] }],
      svc: { image: 'app:2', env: { A: '1', B: 'two', C: 3 } },
      text: 'line 1\n\nline 3\n',
      empty: {},
      url: 'mysql://u:p@h:3306/db',
      flag: false,
      nothing: null,
    });
  });

  it('refuses what it does not understand instead of misreading it', () => {
    expect(() => parseYaml('a: >\n  folded\n')).toThrow(YamlError);
    expect(() => parseYaml('a: !!str x\n')).toThrow(YamlError);
    expect(() => parseYaml('a: 1\n   b: 2\n')).toThrow(YamlError);
    expect(() => parseYaml('a: *nope\n')).toThrow(YamlError);
    expect(() => parseYaml('a: 1\na: 2\n')).toThrow(YamlError);
  });
});

describe('Dockerfile and .dockerignore', () => {
  const dockerfile = read('Dockerfile');
  const instructions = dockerfile
    .split('\n')
    .filter((l) => l.trim() && !l.trim().startsWith('#'))
    .join('\n');

  it('is multi-stage on node:20-bookworm-slim, installs with npm ci and copies the repo', () => {
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:20-bookworm-slim$/m);
    const froms = instructions.match(/^FROM\s+\S+/gm) ?? [];
    expect(froms.length).toBeGreaterThanOrEqual(2);
    for (const f of froms) expect(f).toMatch(/^FROM\s+(\$\{NODE_IMAGE\}|node:20-bookworm-slim)$/);
    expect(instructions).toMatch(/^RUN\b.*\bnpm ci\s*$/m);
    // npm ci's postinstall (prisma generate) needs these before it runs
    const npmCi = instructions.search(/\bnpm ci\b/);
    for (const needed of ['package.json', 'package-lock.json', 'prisma.config.ts', 'prisma ', 'tools/schema-engine-stub']) {
      const at = instructions.search(new RegExp(`^COPY\\b.*${needed.replace(/[.]/g, '\\.')}`, 'm'));
      expect({ needed, copiedBeforeNpmCi: at >= 0 && at < npmCi }).toEqual({ needed, copiedBeforeNpmCi: true });
    }
    expect(instructions).toMatch(/^COPY \. \.$/m);
  });

  it('runs as a numeric non-root user with the run-service entrypoint, edge-api by default', () => {
    const users = instructions.match(/^USER\s+(\S+)$/gm) ?? [];
    expect(users.length).toBeGreaterThan(0);
    const last = users[users.length - 1].split(/\s+/)[1];
    expect(last).toMatch(/^[1-9][0-9]*(:[0-9]+)?$/);
    expect(instructions).toMatch(/^ENTRYPOINT \["node", ?"tools\/run-service\.mjs"\]$/m);
    expect(instructions).toMatch(/^CMD \["edge-api"\]$/m);
    expect(instructions).toMatch(/AISBF_MIGRATE_ON_START=false/);
  });

  it('.dockerignore keeps node_modules, .git, env files and the generated Prisma client out', () => {
    const ignored = read('.dockerignore')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    for (const p of ['node_modules', '.git', '.env', 'libs/platform/prisma/src/generated']) expect(ignored).toContain(p);
    // the build needs these
    for (const p of ['package.json', 'package-lock.json', 'prisma', 'tools', 'libs', 'apps']) expect(ignored).not.toContain(p);
  });
});

describe('docker-compose.yml', () => {
  const compose = map(yaml('docker-compose.yml'), 'docker-compose.yml');
  const services = map(compose.services, 'services');
  const svc = (name: string) => map(services[name], `services.${name}`);
  const env = (name: string) => map(svc(name).environment, `services.${name}.environment`);

  it('has the infrastructure: MariaDB 10.11, Redis 7, NATS 2 with JetStream, an OTel collector', () => {
    expect(svc('mariadb').image).toBe('mariadb:10.11');
    expect(map(svc('mariadb').environment, 'mariadb env').MARIADB_DATABASE).toBe('aisbf');
    expect(String(svc('redis').image)).toMatch(/^redis:7(\b|-)/);
    expect(String(svc('nats').image)).toMatch(/^nats:2(\b|-)/);
    expect(svc('nats').command).toEqual(expect.arrayContaining(['-js']));
    expect(String(svc('otel-collector').image)).toMatch(/^otel\/opentelemetry-collector-contrib(:|$)/);
    expect(svc('otel-collector').volumes).toEqual(
      expect.arrayContaining([expect.stringMatching(/^\.\/deploy\/otel-collector\/config\.yaml:\S+:ro$/)]),
    );
    for (const infra of ['mariadb', 'redis', 'nats']) {
      expect({ infra, healthcheck: isMap(svc(infra).healthcheck) }).toEqual({ infra, healthcheck: true });
    }
  });

  it('has a one-shot migrate service running tools/db/migrate.mjs deploy after MariaDB is healthy', () => {
    const migrate = svc('migrate');
    expect([...(migrate.entrypoint as string[]), ...(migrate.command as string[])]).toEqual(['node', 'tools/db/migrate.mjs', 'deploy']);
    expect(migrate.restart).toBe('no');
    expect(map(migrate.depends_on, 'migrate.depends_on').mariadb).toEqual({ condition: 'service_healthy' });
    for (const name of COMMON_ENV) expect(env('migrate')).toHaveProperty(name);
  });

  it.each(Object.entries(SERVICES))('%s: built from the Dockerfile, configured, health-checked and ordered', (name, { port, portEnv }) => {
    const s = svc(name);
    expect(s.build).toBeTruthy();
    expect(map(s.build, 'build').dockerfile ?? 'Dockerfile').toBe('Dockerfile');
    expect(s.command).toEqual([name]);
    expect(s.volumes).toEqual(expect.arrayContaining(['./config:/app/config:ro']));

    const e = env(name);
    for (const v of COMMON_ENV) expect({ name, v, present: v in e }).toEqual({ name, v, present: true });
    expect(e[portEnv]).toBe(String(port));
    expect(e.AISBF_MIGRATE_ON_START).toBe('false');
    expect(e.AISBF_CONFIG_DIR).toBe('/app/config');

    const hc = map(s.healthcheck, `${name}.healthcheck`);
    const test = hc.test as string[];
    expect(test.slice(0, 3)).toEqual(['CMD', 'node', '-e']);
    expect(test[3]).toContain(`fetch('http://127.0.0.1:${port}/health/ready')`);
    expect(test[3]).toMatch(/process\.exit\(1\)/);

    const deps = map(s.depends_on, `${name}.depends_on`);
    expect(deps.migrate).toEqual({ condition: 'service_completed_successfully' });
    for (const infra of ['mariadb', 'redis', 'nats']) expect(deps[infra]).toEqual({ condition: 'service_healthy' });
  });

  it('publishes the edge-api on 17765 (and the broker for CoderAI workers)', () => {
    expect(svc('edge-api').ports).toEqual([expect.stringMatching(/^(\S*:)?(\$\{[A-Z_]+:-17765\}|17765):17765$/)]);
    expect(svc('broker').ports).toEqual([expect.stringMatching(/^(\S*:)?(\$\{[A-Z_]+:-17773\}|17773):17773$/)]);
  });

  it('the collector config receives OTLP (gRPC + HTTP), batches, and exports to debug', () => {
    const cfg = map(yaml('deploy/otel-collector/config.yaml'), 'collector config');
    const otlp = map(map(map(cfg.receivers, 'receivers').otlp, 'otlp').protocols, 'protocols');
    expect(Object.keys(otlp).sort()).toEqual(['grpc', 'http']);
    expect(map(cfg.processors, 'processors')).toHaveProperty('batch');
    expect(map(cfg.exporters, 'exporters')).toHaveProperty('debug');
    const pipelines = map(map(cfg.service, 'service').pipelines, 'pipelines');
    const traces = map(pipelines.traces, 'traces');
    expect(traces.receivers).toEqual(['otlp']);
    expect(traces.processors).toEqual(expect.arrayContaining(['batch']));
    expect(traces.exporters).toEqual(expect.arrayContaining(['debug']));
    for (const p of Object.values(pipelines)) {
      for (const e of map(p, 'pipeline').exporters as string[]) expect(map(cfg.exporters, 'exporters')).toHaveProperty(e);
      for (const pr of map(p, 'pipeline').processors as string[]) expect(map(cfg.processors, 'processors')).toHaveProperty(pr);
    }
  });
});

describe('Helm chart deploy/helm/aisbf', () => {
  const chart = map(yaml('deploy/helm/aisbf/Chart.yaml'), 'Chart.yaml');
  const values = map(yaml('deploy/helm/aisbf/values.yaml'), 'values.yaml');
  const templateDir = join(CHART, 'templates');
  const templateFiles = readdirSync(templateDir).filter((f) => /\.(ya?ml|tpl|txt)$/.test(f));
  const scanned: Record<string, { actions: TemplateAction[]; problems: string[] }> = {};
  for (const f of templateFiles) scanned[f] = scanActions(f, readFileSync(join(templateDir, f), 'utf8'));
  const tpl = (f: string) => readFileSync(join(templateDir, f), 'utf8');

  it('Chart.yaml is an apiVersion v2 application chart', () => {
    expect(chart.apiVersion).toBe('v2');
    expect(chart.name).toBe('aisbf');
    expect(chart.type).toBe('application');
    expect(String(chart.version)).toMatch(/^\d+\.\d+\.\d+/);
    expect(chart.appVersion).toBeTruthy();
  });

  it('has the expected templates', () => {
    for (const f of [
      '_helpers.tpl',
      'configmap.yaml',
      'secret.yaml',
      'deployment.yaml',
      'service.yaml',
      'hpa.yaml',
      'migration-job.yaml',
      'ingress.yaml',
      'NOTES.txt',
    ]) {
      expect(templateFiles).toContain(f);
    }
  });

  it('every template has balanced {{ }} delimiters and balanced if/range/with/define … end blocks', () => {
    const problems = templateFiles.flatMap((f) => [...scanned[f].problems, ...checkStructure(f, scanned[f].actions)]);
    expect(problems).toEqual([]);
  });

  it('every include/template names a defined template', () => {
    const actions = Object.fromEntries(templateFiles.map((f) => [f, scanned[f].actions]));
    expect(checkIncludes(actions)).toEqual([]);
  });

  it('every .Values path a template reads exists in values.yaml (per service for $svc fields)', () => {
    const problems = templateFiles.flatMap((f) => checkValuePaths(f, scanned[f].actions, values));
    expect(problems).toEqual([]);
  });

  it('the checks catch a missing value, a missing per-service field, an unbound variable and an unclosed block', () => {
    const check = (text: string) => {
      const { actions, problems } = scanActions('probe.yaml', text);
      return [...problems, ...checkStructure('probe.yaml', actions), ...checkValuePaths('probe.yaml', actions, values)];
    };
    expect(check('{{ .Values.image.repository }}')).toEqual([]);
    expect(check('{{ .Values.image.nope }}')).toEqual([expect.stringContaining('.Values.image.nope')]);
    expect(check('{{ $.Values.ingress.broker.nope }}')).toEqual([expect.stringContaining('ingress.broker.nope')]);
    expect(check('{{ index .Values.services "nope" }}')).toEqual([expect.stringContaining('services.nope')]);
    expect(check('{{ range $n, $s := .Values.services }}{{ $s.probes.liveness }}{{ end }}')).toEqual([]);
    expect(check('{{ range $n, $s := .Values.services }}{{ $s.probes.startup }}{{ end }}')).toHaveLength(5);
    expect(check('{{ $x := index .Values.services "broker" }}{{ $x.service.nope }}')).toEqual([
      expect.stringContaining('services.broker.service.nope'),
    ]);
    expect(check('{{ $y.field }}')).toEqual([expect.stringContaining('not bound')]);
    expect(check('{{ if .Values.ingress.enabled }}x')).toEqual([expect.stringContaining('never closed')]);
    expect(check('x {{ end }}')).toEqual([expect.stringContaining('without an open block')]);
    expect(check('{{ .Values.image.tag ')).toEqual([expect.stringContaining('not closed')]);
    expect(check('{{- /* a comment with .Values.nope */ -}}')).toEqual([]);
  });

  it('values.yaml declares the five services with their ports and liveness/readiness paths', () => {
    const services = map(values.services, 'services');
    expect(Object.keys(services).sort()).toEqual(Object.keys(SERVICES).sort());
    for (const [name, { port, portEnv }] of Object.entries(SERVICES)) {
      const s = map(services[name], name);
      expect({ name, port: s.port, portEnv: s.portEnv }).toEqual({ name, port, portEnv });
      expect({ name, probes: s.probes }).toEqual({ name, probes: { liveness: '/health', readiness: '/health/ready' } });
      const hpa = map(s.autoscaling, `${name}.autoscaling`);
      expect(typeof hpa.minReplicas).toBe('number');
      expect(hpa.maxReplicas as number).toBeGreaterThanOrEqual(hpa.minReplicas as number);
      expect(hpa.targetCPUUtilizationPercentage).toEqual(expect.any(Number));
      expect(map(s.resources, `${name}.resources`)).toHaveProperty('requests');
    }
    // edge-api and the broker are reachable through Services
    expect(map(map(services['edge-api'], 'edge-api').service, 'service').enabled).toBe(true);
    expect(map(map(services.broker, 'broker').service, 'service').enabled).toBe(true);
    expect(map(services['provider-workers'], 'provider-workers').envFromSecrets).toEqual([]);
  });

  it('the Deployment probes every service on its liveness and readiness paths through the named port', () => {
    const d = tpl('deployment.yaml');
    expect(d).toMatch(/range \$name, \$svc := \.Values\.services/);
    expect(d).toMatch(/livenessProbe:\n\s+httpGet:\n\s+path: \{\{ \$svc\.probes\.liveness \}\}\n\s+port: http/);
    expect(d).toMatch(/readinessProbe:\n\s+httpGet:\n\s+path: \{\{ \$svc\.probes\.readiness \}\}\n\s+port: http/);
    expect(d).toMatch(/containerPort: \{\{ \$svc\.port \}\}/);
    expect(d).toMatch(/- name: \{\{ \$svc\.portEnv \}\}/);
    expect(d).toMatch(/args: \[\{\{ \$name \| quote \}\}\]/);
    expect(d).toMatch(/checksum\/config: \{\{ include \(print \$\.Template\.BasePath "\/configmap\.yaml"\) \$ \| sha256sum \}\}/);
    expect(d).toMatch(/envFrom:[\s\S]*secretRef:/);
  });

  it('every service and the migration Job get the common environment', () => {
    const helpers = tpl('_helpers.tpl');
    const envBlock = /define "aisbf\.env"([\s\S]*?)\{\{- end \}\}\n*$/.exec(helpers)?.[1] ?? '';
    for (const name of COMMON_ENV) expect({ name, inEnvHelper: envBlock.includes(`- name: ${name}\n`) }).toEqual({ name, inEnvHelper: true });
    expect(tpl('deployment.yaml')).toMatch(/include "aisbf\.env"/);
    expect(tpl('migration-job.yaml')).toMatch(/include "aisbf\.env"/);
  });

  it('the migration Job is a pre-install/pre-upgrade hook that runs migrate.mjs deploy', () => {
    const job = tpl('migration-job.yaml');
    expect(job).toMatch(/\{\{- if \.Values\.migration\.enabled \}\}/);
    expect(job).toMatch(/kind: Job/);
    expect(job).toMatch(/helm\.sh\/hook: pre-install,pre-upgrade/);
    expect(job).toMatch(/helm\.sh\/hook-delete-policy: before-hook-creation/);
    expect(job).toMatch(/command: \["node", "tools\/db\/migrate\.mjs"\]\n\s+args: \["deploy"\]/);
    // It must not depend on objects that a pre-install hook runs before: the release's ServiceAccount and Secret.
    expect(job).not.toMatch(/aisbf\.serviceAccountName/);
    expect(job).toMatch(/aisbf\.migrationSecretName/);
    expect(tpl('migration-secret.yaml')).toMatch(/helm\.sh\/hook: pre-install,pre-upgrade\n\s+helm\.sh\/hook-weight: "-10"/);
  });

  it('HPAs use autoscaling/v2, the Ingress routes edge-api and the broker paths, the config has the four files', () => {
    expect(tpl('hpa.yaml')).toMatch(/apiVersion: autoscaling\/v2\n/);
    const ingress = tpl('ingress.yaml');
    expect(ingress).toMatch(/apiVersion: networking\.k8s\.io\/v1/);
    expect(ingress).toMatch(/\.Values\.ingress\.broker\.paths/);
    expect(map(map(values.ingress, 'ingress').broker, 'ingress.broker').paths).toEqual(['/api/coderai']);
    const files = map(map(values.config, 'config').files, 'config.files');
    expect(Object.keys(files).sort()).toEqual([...CONFIG_FILES].sort());
    expect(tpl('configmap.yaml')).toContain(`list ${CONFIG_FILES.map((f) => `"${f}"`).join(' ')}`);
    expect(map(values.config, 'config').mountPath).toBe('/app/config');
  });

  it('ci/test-values.yaml only sets keys that values.yaml has', () => {
    const ci = map(parseYaml(read('deploy/helm/aisbf/ci/test-values.yaml'), 'ci/test-values.yaml'), 'ci values');
    const missing: string[] = [];
    const walk = (over: YamlValue, base: YamlValue, path: string) => {
      if (!isMap(over)) return;
      for (const [k, v] of Object.entries(over)) {
        if (!isMap(base) || !(k in base)) missing.push(`${path}${k}`);
        else walk(v, base[k], `${path}${k}.`);
      }
    };
    walk(ci, values, '');
    expect(missing).toEqual([]);
  });

  it('the README documents compose and the chart', () => {
    expect(existsSync(join(ROOT, 'deploy/README.md'))).toBe(true);
    const readme = read('deploy/README.md');
    expect(readme).toMatch(/docker compose up/);
    expect(readme).toMatch(/helm (upgrade --install|install)/);
  });
});
