/** What the bench sends and what the fake upstream answers (shared by bench.ts and fake-upstream.ts). */

export const PROVIDER_ID = 'up';
export const MODEL = 'gpt-4o-mini';
export const UPSTREAM_API_KEY = 'sk-upstream-bench';
export const GLOBAL_TOKEN = 'bench-global-token-0123456789';

/** The fixed, small completion. Streamed as the role chunk, these 5 content chunks, the finish chunk, `[DONE]`. */
export const CONTENT_CHUNKS = ['Hello', ' from', ' the', ' fake', ' upstream.'];
export const CONTENT = CONTENT_CHUNKS.join('');

export function chatBody(model: string, stream: boolean): string {
  return JSON.stringify({
    model,
    messages: [{ role: 'user', content: 'Say hello.' }],
    max_tokens: 16,
    ...(stream ? { stream: true } : {}),
  });
}

/** The config directory contents (the original product's four files) for one provider of type `openai`. */
export function configFiles(upstreamUrl: string): Record<string, unknown> {
  return {
    'providers.json': {
      providers: {
        [PROVIDER_ID]: {
          id: PROVIDER_ID,
          name: 'bench fake upstream',
          type: 'openai',
          endpoint: upstreamUrl,
          api_key_required: true,
          api_key: UPSTREAM_API_KEY,
          models: [{ name: MODEL }],
        },
      },
    },
    'rotations.json': { rotations: {} },
    'autoselect.json': {},
    'aisbf.json': { auth: { enabled: true, tokens: [GLOBAL_TOKEN] } },
  };
}
