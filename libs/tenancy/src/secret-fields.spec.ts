import { isSecretKey, maskAll, maskSecrets, mergeSecrets, pointerToPath, resolveMaskedSecrets, SECRET_MASK, splitSecrets } from './secret-fields';

describe('secret fields', () => {
  const config = {
    type: 'openai',
    api_key_required: true,
    api_key: 'sk-top',
    prompt_cache_key: 'not-a-secret',
    default_max_tokens: 100,
    coderai_config: { registration_token: 'reg-1', transport: 'broker' },
    auth_config: { 'oauth/x': { refresh_token: 'r' } },
    providers: [{ provider_id: 'p', api_key: 'sk-entry' }, { provider_id: 'q' }],
    empty: { api_key: '' },
  };

  it('recognises secret keys by name, not look-alikes', () => {
    for (const k of ['api_key', 'API_KEY', 'password', 'registration_token', 'bridge_token', 'client_secret', 'token']) expect(isSecretKey(k)).toBe(true);
    for (const k of ['api_key_required', 'prompt_cache_key', 'max_tokens', 'default_max_request_tokens', 'rate_limit_TPM']) expect(isSecretKey(k)).toBe(false);
  });

  it('splits secrets at any depth and merges them back exactly', () => {
    const { config: bare, secrets } = splitSecrets(config);
    expect(secrets).toEqual({
      '/api_key': 'sk-top',
      '/coderai_config/registration_token': 'reg-1',
      '/auth_config/oauth~1x/refresh_token': 'r',
      '/providers/0/api_key': 'sk-entry',
    });
    expect(JSON.stringify(bare)).not.toMatch(/sk-top|reg-1|sk-entry|"r"/);
    expect(bare).toMatchObject({ prompt_cache_key: 'not-a-secret', empty: { api_key: '' } });
    expect(mergeSecrets(bare, secrets)).toEqual(config);
  });

  it('masks stored secrets, and any config wholesale', () => {
    const { config: bare, secrets } = splitSecrets(config);
    const masked = maskSecrets(bare, Object.keys(secrets)) as typeof config;
    expect(masked.api_key).toBe(SECRET_MASK);
    expect(masked.providers[0]!.api_key).toBe(SECRET_MASK);
    expect(masked.coderai_config.registration_token).toBe(SECRET_MASK);
    expect(maskAll(config)).toEqual(masked);
  });

  it('keeps a stored secret when the mask is sent back, and names a mask with nothing behind it', () => {
    expect(resolveMaskedSecrets({ '/api_key': SECRET_MASK, '/x_token': 'new' }, { '/api_key': 'old' })).toEqual({
      secrets: { '/api_key': 'old', '/x_token': 'new' },
      unresolved: [],
    });
    expect(resolveMaskedSecrets({ '/providers/1/api_key': SECRET_MASK }, {}).unresolved).toEqual(['/providers/1/api_key']);
    expect(pointerToPath('/providers/1/api_key')).toBe('providers[1].api_key');
  });
});
