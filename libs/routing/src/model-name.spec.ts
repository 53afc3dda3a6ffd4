import { formatModelName, parseModelName } from './model-name';

describe('model name grammar', () => {
  it.each([
    ['rotation/coding', { kind: 'rotation', scope: 'global', id: 'coding' }],
    ['rotations/coding', { kind: 'rotation', scope: 'global', id: 'coding' }],
    ['autoselect/eng', { kind: 'autoselect', scope: 'global', id: 'eng' }],
    ['user-rotation/coding', { kind: 'rotation', scope: 'user', id: 'coding' }],
    ['user-autoselect/engineering', { kind: 'autoselect', scope: 'user', id: 'engineering' }],
    ['user-provider/runpod-gpu-a/deepseek-coder-v2', { kind: 'provider', scope: 'user', providerId: 'runpod-gpu-a', model: 'deepseek-coder-v2' }],
    ['ollama/qwen2.5-coder:32b', { kind: 'provider', scope: 'global', providerId: 'ollama', model: 'qwen2.5-coder:32b' }],
    ['openrouter/meta-llama/llama-3-70b', { kind: 'provider', scope: 'global', providerId: 'openrouter', model: 'meta-llama/llama-3-70b' }],
    ['user-provider/p/org/model:tag', { kind: 'provider', scope: 'user', providerId: 'p', model: 'org/model:tag' }],
    ['gpt-4o', { kind: 'bare', name: 'gpt-4o' }],
    ['/x', { kind: 'bare', name: '/x' }],
    ['x/', { kind: 'bare', name: 'x/' }],
  ])('parses %s', (name, expected) => {
    expect(parseModelName(name)).toEqual(expected);
  });

  it('round-trips every listed id', () => {
    for (const id of ['rotation/a', 'autoselect/b', 'user-rotation/c', 'user-autoselect/d', 'p/m:1', 'user-provider/p/org/m', 'p/org/m']) {
      const parsed = parseModelName(id);
      if (parsed.kind === 'bare') throw new Error(id);
      expect(formatModelName(parsed)).toBe(id);
    }
  });
});
