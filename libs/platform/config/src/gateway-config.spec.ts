import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
});
