import { eventually, startFakeOpenAI, startStack, type FakeOpenAI, type Scenario, type Stack } from '@aisbf/testing';
import OpenAI from 'openai';
import { GLOBAL_TOKEN, openaiProvider, writeConfig } from './support/config';

/**
 * Rotations through the whole stack with the official SDK: three fake upstreams (pa, pb, pc) inject faults per model
 * name, and every scenario uses its own rotation and model names, so breaker state never leaks between tests. Backup
 * candidates have weight 0 (standby): the primary is always the first pick, which keeps the scenarios deterministic.
 */
describe('rotations: failover, cooldowns and limits through the whole stack', () => {
  let fa: FakeOpenAI;
  let fb: FakeOpenAI;
  let fc: FakeOpenAI;
  let stack: Stack;
  let client: OpenAI;

  const pair = (model: string, extra: Record<string, unknown> = {}) => ({
    model_name: model,
    ttft_timeout: 10,
    providers: [
      { provider_id: 'pa', model, weight: 1 },
      { provider_id: 'pb', model, weight: 0 },
    ],
    ...extra,
  });

  const rotations = {
    notifyerrors: false,
    notify_on_failover: false,
    rotations: {
      fail500: pair('s1'),
      ratelimit: pair('s2'),
      reset: pair('s3'),
      silent: pair('s4', { ttft_timeout: 1.5 }),
      nofirst: pair('s5', { ttft_timeout: 1.5 }),
      cut: pair('s6'),
      filter: pair('s7'),
      allfail: {
        model_name: 's8',
        ttft_timeout: 10,
        providers: [
          { provider_id: 'pa', model: 's8', weight: 3 },
          { provider_id: 'pb', model: 's8', weight: 2 },
          { provider_id: 'pc', model: 's8', weight: 1 },
        ],
      },
      'allfail-notify': {
        model_name: 's8n',
        notifyerrors: true,
        providers: [
          { provider_id: 'pa', model: 's8', weight: 1 },
          { provider_id: 'pc', model: 's8', weight: 1 },
        ],
      },
      recover: { ...pair('s9'), failure_threshold: 2, failure_window: 60, providers: [{ provider_id: 'pa', model: 's9', weight: 1, error_cooldown: 1.5 }, { provider_id: 'pb', model: 's9', weight: 0 }] },
      notify: pair('s10', { notify_on_failover: true }),
      admin: { model_name: 's11', providers: [{ provider_id: 'pd', model: 's11', weight: 1 }, { provider_id: 'pb', model: 's11', weight: 0 }] },
      outer: { model_name: 'outer', providers: [{ provider_id: 'rotation', models: [{ name: 'inner', weight: 1 }] }, { provider_id: 'pb', model: 's12', weight: 0 }] },
      inner: { model_name: 'inner', providers: [{ provider_id: 'pa', model: 's12', weight: 1 }] },
      loopa: { model_name: 'loopa', providers: [{ provider_id: 'rotation', model: 'loopb' }] },
      loopb: { model_name: 'loopb', providers: [{ provider_id: 'rotation', model: 'loopa' }] },
      cancel: pair('s14'),
      tpm: { model_name: 's13', providers: [{ provider_id: 'pa', model: 's13', weight: 1, rate_limit_TPM: 60 }, { provider_id: 'pb', model: 's13', weight: 0 }] },
    },
  };

  beforeAll(async () => {
    [fa, fb, fc] = await Promise.all([startFakeOpenAI(), startFakeOpenAI(), startFakeOpenAI()]);
    const configDir = writeConfig({
      providers: {
        providers: {
          pa: openaiProvider('pa', fa.url, []),
          pb: openaiProvider('pb', fb.url, []),
          pc: openaiProvider('pc', fc.url, []),
          pd: openaiProvider('pd', fa.url, []),
        },
      },
      rotations,
    });
    stack = await startStack({ configDir });
    client = new OpenAI({ apiKey: GLOBAL_TOKEN, baseURL: `${stack.baseUrl}/v1`, maxRetries: 0, timeout: 30_000 });
  });

  afterAll(async () => {
    await stack?.close();
    await Promise.all([fa?.close(), fb?.close(), fc?.close()]);
  });

  const ask = (model: string, extra: Record<string, unknown> = {}) =>
    client.chat.completions.create({ model, messages: [{ role: 'user', content: 'ping' }], ...extra } as OpenAI.ChatCompletionCreateParamsNonStreaming).withResponse();

  const stream = async (model: string) => {
    const { data, response } = await client.chat.completions.create({ model, stream: true, messages: [{ role: 'user', content: 'hello stream' }] }).withResponse();
    let text = '';
    let error: unknown;
    try {
      for await (const c of data) text += c.choices[0]?.delta?.content ?? '';
    } catch (err) {
      error = err;
    }
    return { text, error, response };
  };

  const calls = (fake: FakeOpenAI, model: string) => fake.requests.filter((r) => r.path.startsWith('/v1/chat/completions') && (r.body as { model?: string }).model === model).length;

  const apiError = async (p: Promise<unknown>): Promise<InstanceType<typeof OpenAI.APIError>> => {
    try {
      await p;
    } catch (err) {
      if (err instanceof OpenAI.APIError) return err;
      throw err;
    }
    throw new Error('expected an API error');
  };

  const admin = (method: string, path: string, body?: unknown) =>
    fetch(`${stack.baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${GLOBAL_TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const json = async (r: Promise<Response>): Promise<any> => (await r).json();

  it('500 from the first candidate: the next one answers, invisibly, with the route headers', async () => {
    fa.setForModel('s1', { kind: 'error', status: 500 });
    const { data, response } = await ask('rotation/fail500');
    expect(data.choices[0]?.message.content).toBe('echo: ping');
    expect(response.headers.get('x-aisbf-route')).toBe('rotation/fail500');
    expect(response.headers.get('x-aisbf-provider')).toBe('pb');
    expect(response.headers.get('x-aisbf-model')).toBe('s1');
    expect(response.headers.get('x-aisbf-attempts')).toBe('2');
    expect(response.headers.get('x-aisbf-failover-log')).toMatch(/pa\/s1 failed: HTTP 500 UPSTREAM_UNAVAILABLE/);
    // The same over a stream: the failure happened before the first chunk, so the client never sees it.
    const s = await stream('rotation/fail500');
    expect(s.error).toBeUndefined();
    expect(s.text).toBe('echo: hello stream');
    expect(s.response.headers.get('x-aisbf-provider')).toBe('pb');
  });

  it('429 with Retry-After: fails over and does not try that candidate again before then', async () => {
    fa.setForModel('s2', { kind: 'error', status: 429, headers: { 'retry-after': '2' } });
    const first = await ask('rotation/ratelimit');
    expect(first.response.headers.get('x-aisbf-provider')).toBe('pb');
    expect(calls(fa, 's2')).toBe(1);
    fa.setForModel('s2', { kind: 'text' }); // healthy again, but it asked us to wait
    const second = await ask('rotation/ratelimit');
    expect(second.response.headers.get('x-aisbf-provider')).toBe('pb');
    expect(second.response.headers.get('x-aisbf-attempts')).toBe('1');
    expect(second.response.headers.get('x-aisbf-failover-log')).toMatch(/pa\/s2 skipped: asked us to wait \(Retry-After\)/);
    expect(calls(fa, 's2')).toBe(1);
    await eventually(
      async () => {
        const again = await ask('rotation/ratelimit');
        expect(again.response.headers.get('x-aisbf-provider')).toBe('pa');
      },
      { timeoutMs: 5000, intervalMs: 250 },
    );
  });

  it('connection reset: fails over', async () => {
    fa.setForModel('s3', { kind: 'reset' });
    const { data, response } = await ask('rotation/reset');
    expect(data.choices[0]?.message.content).toBe('echo: ping');
    expect(response.headers.get('x-aisbf-provider')).toBe('pb');
    expect(response.headers.get('x-aisbf-failover-log')).toMatch(/pa\/s3 failed: .*UPSTREAM_UNAVAILABLE/);
  });

  it('upstream silent (no headers) past the deadline: fails over after ttft_timeout and cancels the silent call', async () => {
    fa.setForModel('s4', { kind: 'hang' });
    const t0 = Date.now();
    const { data, response } = await ask('rotation/silent');
    const elapsed = Date.now() - t0;
    expect(data.choices[0]?.message.content).toBe('echo: ping');
    expect(response.headers.get('x-aisbf-provider')).toBe('pb');
    expect(elapsed).toBeGreaterThanOrEqual(1400);
    expect(elapsed).toBeLessThan(5000);
    expect(response.headers.get('x-aisbf-failover-log')).toMatch(/no first token from pa\/s4 within 1\.5 s/);
    const abort = await fa.waitForAbort(5000);
    expect(abort.model).toBe('s4');
  });

  it('first chunk never arrives (headers sent, no data): the stream fails over before anything reaches the client', async () => {
    fa.setForModel('s5', { kind: 'text', firstByteDelayMs: 60_000 });
    const t0 = Date.now();
    const s = await stream('rotation/nofirst');
    expect(s.error).toBeUndefined();
    expect(s.text).toBe('echo: hello stream');
    expect(s.response.headers.get('x-aisbf-provider')).toBe('pb');
    expect(Date.now() - t0).toBeLessThan(5000);
    // The abandoned attempt was cancelled upstream, not left streaming into the void.
    await eventually(() => expect(fa.aborts.map((a) => a.model)).toContain('s5'));
  });

  it('stream cut after some chunks: ends with an in-band error, never a silent success, no failover after commit', async () => {
    fa.setForModel('s6', { kind: 'midstream-error', afterChunks: 3, mode: 'destroy' });
    const s = await stream('rotation/cut');
    expect(s.response.status).toBe(200);
    expect(s.response.headers.get('x-aisbf-provider')).toBe('pa');
    expect(s.text).toBe('partial answer ');
    expect(s.error).toBeInstanceOf(OpenAI.APIError);
    expect(String((s.error as Error).message)).toMatch(/pa|terminated|unreachable|ended/i);
    expect(calls(fb, 's6')).toBe(0);
  });

  it('content-filter 400: returned to the caller, never failed over', async () => {
    const refusal: Scenario = {
      kind: 'error',
      status: 400,
      body: { error: { message: "The response was filtered due to the prompt triggering Azure OpenAI's content management policy.", type: 'invalid_request_error', param: 'prompt', code: 'content_filter' } },
    };
    fa.setForModel('s7', refusal);
    const err = await apiError(ask('rotation/filter'));
    expect(err.status).toBe(400);
    expect(err.code).toBe('content_filter');
    expect(calls(fb, 's7')).toBe(0);
  });

  it('all candidates failing: a clear error listing each attempt and why', async () => {
    fa.setForModel('s8', { kind: 'error', status: 500 });
    fb.setForModel('s8', { kind: 'error', status: 503, body: { error: { message: 'overloaded, try later', type: 'server_error', code: null } } });
    fc.setForModel('s8', { kind: 'reset' });
    const err = await apiError(ask('rotation/allfail'));
    expect(err.status).toBe(502);
    const msg = err.message;
    expect(msg).toMatch(/Route 'rotation\/allfail' failed: every candidate failed\. 3 attempts \(max 5\), 0 skipped/);
    expect(msg).toMatch(/pa\/s8 failed: HTTP 500 UPSTREAM_UNAVAILABLE/);
    expect(msg).toMatch(/pb\/s8 failed: HTTP 503 UPSTREAM_UNAVAILABLE: overloaded, try later/);
    expect(msg).toMatch(/pc\/s8 failed: UPSTREAM_UNAVAILABLE: Upstream provider 'pc' is unreachable/);
  });

  it('notifyerrors: the failure report comes back as an assistant message (200), flagged aisbf_error', async () => {
    const { data, response } = await ask('rotation/allfail-notify');
    expect(response.status).toBe(200);
    expect(response.headers.get('x-aisbf-error')).toBe('UPSTREAM_UNAVAILABLE');
    const d = data as unknown as Record<string, unknown>;
    expect(d['aisbf_error']).toBe(true);
    expect(d['attempted_count']).toBe(2);
    expect(data.choices[0]?.message.content).toMatch(/rotation\/allfail-notify could not answer this request/);
    expect(data.choices[0]?.message.content).toMatch(/`pc\/s8` — /);
    const s = await stream('rotation/allfail-notify');
    expect(s.error).toBeUndefined();
    expect(s.text).toMatch(/could not answer this request/);
  });

  it('a cooled-down candidate recovers through the half-open probe', async () => {
    fa.setForModel('s9', { kind: 'error', status: 500 });
    await ask('rotation/recover');
    await ask('rotation/recover'); // 2nd failure within the window: pa/s9 opens (failure_threshold 2)
    expect(calls(fa, 's9')).toBe(2);
    const state = await json(admin('GET', '/api/rotations/recover'));
    expect(state.candidates[0]).toMatchObject({ candidate: 'pa/s9', state: 'open' });
    const cooling = await ask('rotation/recover');
    expect(cooling.response.headers.get('x-aisbf-provider')).toBe('pb');
    expect(cooling.response.headers.get('x-aisbf-failover-log')).toMatch(/pa\/s9 skipped: cooling down/);
    expect(calls(fa, 's9')).toBe(2); // not hammered while cooling down
    fa.setForModel('s9', { kind: 'text' }); // the upstream heals
    await eventually(
      async () => {
        const r = await ask('rotation/recover');
        expect(r.response.headers.get('x-aisbf-provider')).toBe('pa'); // the probe went to pa and succeeded
      },
      { timeoutMs: 6000, intervalMs: 200 },
    );
    const after = await json(admin('GET', '/api/rotations/recover'));
    expect(after.candidates[0]).toMatchObject({ candidate: 'pa/s9', state: 'available' });
    expect((await ask('rotation/recover')).response.headers.get('x-aisbf-provider')).toBe('pa');
  });

  it('notify_on_failover: banner, aisbf_failover and X-AISBF-Failover headers when the preferred pick failed', async () => {
    fa.setForModel('s10', { kind: 'error', status: 502 });
    const { data, response } = await ask('rotation/notify');
    expect(response.headers.get('x-aisbf-failover')).toBe('true');
    expect(response.headers.get('x-aisbf-preferred-provider')).toBe('pa');
    expect(response.headers.get('x-aisbf-preferred-model')).toBe('s10');
    expect(data.choices[0]?.message.content).toBe('Provider switched to pb/s10 — preferred pa/s10 was unavailable.\n\necho: ping');
    expect((data as unknown as Record<string, unknown>)['aisbf_failover']).toEqual({ switched: true, rotation: 'notify', preferred: { provider: 'pa', model: 's10' }, used: { provider: 'pb', model: 's10' } });
    const s = await stream('rotation/notify');
    expect(s.text).toBe('Provider switched to pb/s10 — preferred pa/s10 was unavailable.\n\necho: hello stream');
  });

  it('manual disable / enable of a provider from the admin API', async () => {
    expect((await ask('rotation/admin')).response.headers.get('x-aisbf-provider')).toBe('pd');
    const off = await admin('POST', '/api/admin/providers/pd/disable', { reason: 'maintenance' });
    expect(off.status).toBe(200);
    expect(await off.json()).toMatchObject({ provider_id: 'pd', disabled: true, reason: 'maintenance', by: 'global:0' });
    const served = await ask('rotation/admin');
    expect(served.response.headers.get('x-aisbf-provider')).toBe('pb');
    expect(served.response.headers.get('x-aisbf-failover-log')).toMatch(/pd\/s11 skipped: disabled by an administrator \(maintenance\)/);
    // A direct call to a disabled provider is refused too.
    expect((await apiError(ask('pd/s11'))).status).toBe(503);
    const on = await admin('POST', '/api/admin/providers/pd/enable');
    expect(await on.json()).toMatchObject({ provider_id: 'pd', disabled: false });
    expect((await ask('rotation/admin')).response.headers.get('x-aisbf-provider')).toBe('pd');
    expect((await admin('POST', '/api/admin/providers/nope/disable')).status).toBe(404);
    const anonymous = await fetch(`${stack.baseUrl}/api/admin/providers/pd/disable`, { method: 'POST' });
    expect(anonymous.status).toBe(401);
  });

  it('a rotation may target another rotation; loops are refused with a clear error', async () => {
    const { response } = await ask('rotation/outer');
    expect(response.headers.get('x-aisbf-route')).toBe('rotation/outer');
    expect(response.headers.get('x-aisbf-provider')).toBe('pa');
    expect(response.headers.get('x-aisbf-model')).toBe('s12');
    const loop = await apiError(ask('rotation/loopa'));
    expect(loop.status).toBe(508);
    expect(loop.message).toMatch(/delegation loop: rotation\/loopa → rotation\/loopb → rotation\/loopa/);
  });

  it('a request larger than a candidate’s TPM limit skips it (reported), without disabling it', async () => {
    const { response } = await ask('rotation/tpm', { max_tokens: 100 });
    expect(response.headers.get('x-aisbf-provider')).toBe('pb');
    expect(response.headers.get('x-aisbf-failover-log')).toMatch(/pa\/s13 skipped: this request needs about \d+ tokens, more than the TPM limit of 60/);
    expect((await ask('rotation/tpm', { max_tokens: 5 })).response.headers.get('x-aisbf-provider')).toBe('pa');
  });

  it('a client that goes away cancels the upstream attempt (rotation stream and direct route)', async () => {
    fa.setForModel('s14', { kind: 'text', chunks: ['a ', 'b ', 'c ', 'd ', 'e ', 'f '], chunkDelayMs: 400 });
    const { data } = await client.chat.completions.create({ model: 'rotation/cancel', stream: true, messages: [{ role: 'user', content: 'x' }] }).withResponse();
    for await (const _ of data) {
      data.controller.abort();
      break;
    }
    await eventually(() => expect(fa.aborts.map((a) => a.model)).toContain('s14'));
    fa.setForModel('s15', { kind: 'hang' });
    const ac = new AbortController();
    const pending = client.chat.completions.create({ model: 'pa/s15', messages: [{ role: 'user', content: 'x' }] }, { signal: ac.signal }).catch((e: unknown) => e);
    await eventually(() => expect(calls(fa, 's15')).toBe(1));
    ac.abort();
    await pending;
    await eventually(() => expect(fa.aborts.map((a) => a.model)).toContain('s15'));
  });

  it('lists rotations the way the original does', async () => {
    const list = await json(admin('GET', '/api/rotations'));
    expect(list['fail500']).toEqual({ model_name: 's1', models: [{ name: 's1', provider_id: 'pa', weight: 1, rate_limit: 0 }, { name: 's1', provider_id: 'pb', weight: 0, rate_limit: 0 }] });
    const one = await json(admin('GET', '/api/rotations/outer'));
    expect(one).toMatchObject({ id: 'outer', model_name: 'outer', providers: rotations.rotations.outer.providers });
    expect(one.candidates[0]).toMatchObject({ candidate: 'rotation/inner', state: 'route' });
    const models = await json(admin('GET', '/api/rotations/models'));
    expect(models.data).toEqual(expect.arrayContaining([expect.objectContaining({ id: 'pa/s1', rotation_id: 'fail500', provider_id: 'pa', weight: 1 })]));
    expect((await admin('GET', '/api/rotations/nope')).status).toBe(404);
    const v1 = await client.models.list();
    expect(v1.data.map((m) => m.id)).toEqual(expect.arrayContaining(['rotation/fail500', 'rotation/outer']));
    // The original's entry point takes the bare rotation id.
    const res = await fetch(`${stack.baseUrl}/api/rotations/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${GLOBAL_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'inner', messages: [{ role: 'user', content: 'ping' }] }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-aisbf-route')).toBe('rotation/inner');
  });
});
