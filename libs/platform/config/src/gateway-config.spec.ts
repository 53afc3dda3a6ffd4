import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { effectiveModelSettings } from '@aisbf/contracts';
import { ConfigFileError, loadGatewayConfig } from './gateway-config';

function dirWith(files: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), 'aisbf-cfg-'));
  for (const [name, content] of Object.entries(files)) {
    writeFileSync(join(dir, name), typeof content === 'string' ? content : JSON.stringify(content));
  }
  return dir;
}

const provider = { id: 'p1', name: 'P1', type: 'openai', endpoint: 'http://x/v1', api_key_required: false, models: [{ name: 'm' }] };

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigFileError) return e.problems;
    throw e;
  }
  throw new Error('expected a ConfigFileError');
}

describe('loadGatewayConfig', () => {
  it('loads the four files and defaults the optional ones', () => {
    const cfg = loadGatewayConfig(dirWith({ 'providers.json': { providers: { p1: provider } } }));
    expect(cfg.providers.providers['p1']?.type).toBe('openai');
    expect(cfg.rotations.rotations).toEqual({});
    expect(cfg.autoselect).toEqual({});
    expect(cfg.aisbf.auth).toEqual({ enabled: false, tokens: [] });
  });

  it('names the file, the provider and the key of an unknown or mistyped key', () => {
    const problems = problemsOf(() =>
      loadGatewayConfig(
        dirWith({
          'providers.json': { providers: { p1: { ...provider, api_key_requird: true, rate_limit: 'fast' } } },
          'aisbf.json': { auth: { enabled: 'yes' } },
        }),
      ),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        'providers.json: providers.p1: unknown key "api_key_requird"',
        expect.stringMatching(/^providers\.json: providers\.p1\.rate_limit: /),
        expect.stringMatching(/^aisbf\.json: auth\.enabled: /),
      ]),
    );
  });

  it('reports a missing providers.json and invalid JSON', () => {
    expect(problemsOf(() => loadGatewayConfig(dirWith({}))).join()).toContain('providers.json: not found');
    expect(problemsOf(() => loadGatewayConfig(dirWith({ 'providers.json': '{oops' }))).join()).toContain('not valid JSON');
  });

  it('expands $ENV references in provider keys and reports unset ones', () => {
    const dir = dirWith({ 'providers.json': { providers: { p1: { ...provider, api_key: '$MY_KEY' } } } });
    expect(loadGatewayConfig(dir, { MY_KEY: 'sk-1' }).providers.providers['p1']?.api_key).toBe('sk-1');
    expect(problemsOf(() => loadGatewayConfig(dir, {})).join()).toContain('MY_KEY');
  });

  it('accepts the flat and nested rotation entry forms', () => {
    const cfg = loadGatewayConfig(
      dirWith({
        'providers.json': { providers: { p1: provider } },
        'rotations.json': {
          rotations: {
            r: {
              model_name: 'r',
              providers: [
                { provider_id: 'p1', model: 'm', weight: 3, error_cooldown: 120 },
                { provider_id: 'p1', weight: 2, models: [{ name: 'm', weight: 1 }] },
              ],
            },
          },
        },
      }),
    );
    expect(cfg.rotations.rotations['r']?.providers).toHaveLength(2);
  });

  describe('provider types of the adapters issue', () => {
    const claude = { type: 'anthropic', endpoint: 'https://api.anthropic.com', api_key_required: true, api_key: 'sk-ant', default_max_tokens: 2048, default_context_size: 200000, models: [{ name: 'claude-haiku-4-5', max_tokens: 512, context_size: 100000 }, { name: 'claude-sonnet-4-5' }] };
    const gemini = { type: 'google', endpoint: 'https://generativelanguage.googleapis.com/v1beta', api_key_required: true, api_key: 'AIza', cache_ttl: 3600 };
    const ollama = { type: 'ollama', endpoint: 'http://127.0.0.1:11434', api_key_required: false };
    const pod = { type: 'runpod', endpoint: '', api_key_required: true, api_key: 'rp', runpod_config: { mode: 'pod', pod_id: 'abc', wrapper_mode: 'ollama', idle_shutdown_ms: 60000 } };
    const serverless = { type: 'runpod', endpoint: '', api_key_required: true, api_key: 'rp', runpod_config: { mode: 'serverless', endpoint_id: 'ep' } };

    it('loads anthropic, google, ollama and runpod blocks with the runpod defaults applied', () => {
      const cfg = loadGatewayConfig(dirWith({ 'providers.json': { providers: { claude, gemini, ollama, pod, serverless } } }));
      expect(cfg.providers.providers['pod']?.runpod_config).toEqual({ mode: 'pod', pod_id: 'abc', wrapper_mode: 'ollama', idle_shutdown_ms: 60000, startup_poll_interval_ms: 3000, startup_timeout_ms: 300000 });
      expect(cfg.providers.providers['serverless']?.runpod_config).toMatchObject({ mode: 'serverless', endpoint_id: 'ep', wrapper_mode: 'openai' });
    });

    it('applies the default_* cascade: model value, else provider default, else built-in', () => {
      const cfg = loadGatewayConfig(dirWith({ 'providers.json': { providers: { claude } } }));
      const p = cfg.providers.providers['claude']!;
      expect(effectiveModelSettings(p, 'claude-haiku-4-5')).toMatchObject({ max_tokens: 512, context_size: 100000, error_cooldown: 300 });
      expect(effectiveModelSettings(p, 'claude-sonnet-4-5')).toMatchObject({ max_tokens: 2048, context_size: 200000 });
      expect(effectiveModelSettings({ ...p, default_error_cooldown: 60, models: [{ name: 'x', context_length: 4096, error_cooldown: 10 }] }, 'x')).toMatchObject({ context_size: 4096, error_cooldown: 10 });
      expect(effectiveModelSettings({ ...p, default_error_cooldown: 60 }, 'unlisted')).toMatchObject({ max_tokens: 2048, error_cooldown: 60 });
    });

    it('names file, provider and key for unknown keys and wrong types inside the new blocks', () => {
      const problems = problemsOf(() =>
        loadGatewayConfig(
          dirWith({
            'providers.json': {
              providers: {
                pod: { ...pod, runpod_config: { ...pod.runpod_config, pod_idd: 'typo', startup_poll_interval_ms: 'soon' } },
                claude: { ...claude, default_max_tokens: '4k', models: [{ name: 'm', max_tokns: 5 }] },
                gemini: { ...gemini, thinking_budget: 5 },
                ollama: { ...ollama, default_context_size: -1 },
              },
            },
          }),
        ),
      );
      expect(problems).toEqual(
        expect.arrayContaining([
          'providers.json: providers.pod.runpod_config: unknown key "pod_idd"',
          expect.stringMatching(/^providers\.json: providers\.pod\.runpod_config\.startup_poll_interval_ms: /),
          expect.stringMatching(/^providers\.json: providers\.claude\.default_max_tokens: /),
          'providers.json: providers.claude.models.0: unknown key "max_tokns"',
          'providers.json: providers.gemini: unknown key "thinking_budget"',
          expect.stringMatching(/^providers\.json: providers\.ollama\.default_context_size: /),
        ]),
      );
    });

    it('requires what each runpod mode needs', () => {
      const problems = problemsOf(() =>
        loadGatewayConfig(
          dirWith({
            'providers.json': {
              providers: {
                a: { ...pod, runpod_config: { mode: 'pod' } },
                b: { ...serverless, runpod_config: { mode: 'serverless_template' } },
                c: { type: 'runpod', endpoint: '', api_key_required: false },
              },
            },
          }),
        ),
      );
      expect(problems).toEqual(
        expect.arrayContaining([
          'providers.json: providers.a.runpod_config.pod_id: required when mode is "pod"',
          'providers.json: providers.b.runpod_config.endpoint_id: required when mode is "serverless_template"',
          'providers.json: providers.c.runpod_config: required for type "runpod" (mode, and pod_id or endpoint_id)',
        ]),
      );
    });
  });
});
