import type { ChatCompletionRequest, ProviderConfig } from '@aisbf/contracts';
// Specs drive the adapters against the wire-faithful fakes of @aisbf/testing (test code only; the adapters never import it).
import { eventually, startFakeOllama, startFakeOpenAI, startFakeRunpod, type FakeOllama, type FakeOpenAI, type FakeRunpod } from '@aisbf/testing';
import { chatRequest, collect, delta, failure } from '../test/adapter-spec.helpers';
import { createAdapter } from '../registry';
import { podEndpoint, RunpodAdapter } from './runpod.adapter';
import { mapOutput } from './runpod-serverless';

const KEY = 'rp-account-key';

const request = (body: Partial<ChatCompletionRequest> = {}, signal = new AbortController().signal) => chatRequest('qwen3', 'rp/qwen3', body, signal, 'hi pod');

describe('RunpodAdapter', () => {
  let openai: FakeOpenAI;
  let ollama: FakeOllama;
  let rp: FakeRunpod;
  const adapters: RunpodAdapter[] = [];

  const make = (runpod: Record<string, unknown>, extra: Partial<ProviderConfig> = {}) => {
    const a = new RunpodAdapter('rp', { type: 'runpod', api_key_required: true, api_key: KEY, endpoint: '', rate_limit: 0, runpod_config: { management_api: rp.managementUrl, startup_poll_interval_ms: 20, startup_timeout_ms: 5000, idle_shutdown_ms: 0, wrapper_mode: 'openai', ...runpod }, ...extra } as ProviderConfig);
    adapters.push(a);
    return a;
  };

  beforeAll(async () => {
    openai = await startFakeOpenAI({ models: ['qwen3'] });
    ollama = await startFakeOllama();
    rp = await startFakeRunpod({
      apiKey: KEY,
      openaiUpstream: openai.url,
      pods: {
        'pod-oai': { upstreamPort: openai.port, startupPolls: 2 },
        'pod-oll': { upstreamPort: ollama.port, internalPort: 11434 },
        'pod-slow': { upstreamPort: openai.port, startupPolls: 1000 },
        'pod-dead': { upstreamPort: openai.port, desiredStatus: 'TERMINATED' },
      },
    });
  });
  afterEach(async () => {
    await Promise.all(adapters.splice(0).map((a) => a.close()));
    openai.reset();
    ollama.reset();
    rp.reset();
  });
  afterAll(async () => {
    await Promise.all([openai.close(), ollama.close(), rp.close()]);
  });

  it('reads a pod endpoint from its public IP and port mapping only when it runs', () => {
    expect(podEndpoint({ desiredStatus: 'RUNNING', publicIp: '1.2.3.4', ports: ['8000/http', '22/tcp'], portMappings: { '22': 10341, '8000': 40123 } })).toBe('http://1.2.3.4:40123');
    expect(podEndpoint({ desiredStatus: 'RUNNING', publicIp: null, ports: ['8000/http'], portMappings: null })).toBeUndefined();
    expect(podEndpoint({ desiredStatus: 'EXITED', publicIp: '1.2.3.4', ports: ['8000/http'], portMappings: { '8000': 1 } })).toBeUndefined();
  });

  it('mode pod: starts a stopped pod once, polls until it has a port mapping, then calls it through the openai wrapper', async () => {
    const a = make({ pod_id: 'pod-oai' });
    const [r1, r2] = await Promise.all([a.complete(request()), a.complete(request({ messages: [{ role: 'user', content: 'second' }] }))]);
    expect(r1.choices[0]!.message).toMatchObject({ content: 'echo: hi pod' });
    expect(r2.choices[0]!.message).toMatchObject({ content: 'echo: second' });
    const pod = rp.pods.get('pod-oai')!;
    expect(pod.startCalls).toBe(1);
    expect(pod.desiredStatus).toBe('RUNNING');
    expect(openai.requests.filter((r) => r.path === '/v1/chat/completions')).toHaveLength(2);
    expect(rp.requests.every((r) => r.headers['authorization'] === `Bearer ${KEY}`)).toBe(true);
    // running now: no further start
    const chunks = await collect(a.stream(request({ stream: true })));
    expect(chunks.map((c) => delta(c)?.['content'] ?? '').join('')).toBe('echo: hi pod');
    expect(pod.startCalls).toBe(1);
  });

  it('mode pod with wrapper_mode ollama calls the pod natively', async () => {
    const a = make({ pod_id: 'pod-oll', wrapper_mode: 'ollama' });
    const res = await a.complete(request());
    expect(res.choices[0]!.message).toMatchObject({ content: 'echo: hi pod' });
    expect(ollama.requests[0]).toMatchObject({ path: '/api/chat', body: { model: 'qwen3', stream: false } });
  });

  it('stops the pod after idle_shutdown_ms without use, not while a request is in flight', async () => {
    const a = make({ pod_id: 'pod-oai', idle_shutdown_ms: 300 });
    openai.enqueue({ kind: 'text', content: 'slow', firstByteDelayMs: 700 });
    const slow = a.complete(request());
    await eventually(() => expect(openai.requests).toHaveLength(1));
    expect(await a.checkIdle(300, Date.now() + 10_000)).toBe(false); // in flight
    await slow;
    const pod = rp.pods.get('pod-oai')!;
    expect(pod.stopCalls).toBe(0);
    await eventually(() => expect(pod.stopCalls).toBe(1), { timeoutMs: 3000 });
    expect(pod.desiredStatus).toBe('EXITED');
  });

  it('gives up with TIMEOUT when the pod does not get ready in startup_timeout_ms; a terminated pod is unavailable', async () => {
    const slow = make({ pod_id: 'pod-slow', startup_timeout_ms: 150 });
    expect((await failure(slow.complete(request()))).code).toBe('TIMEOUT');
    const dead = make({ pod_id: 'pod-dead' });
    expect((await failure(dead.complete(request()))).code).toBe('UPSTREAM_UNAVAILABLE');
  });

  it('a wrong RunPod key is AUTH; a missing pod_id fails at construction', async () => {
    const a = make({ pod_id: 'pod-oai' }, { api_key: 'wrong' });
    expect((await failure(a.complete(request()))).code).toBe('AUTH');
    expect(() => createAdapter('rp', { type: 'runpod', api_key_required: false, endpoint: '', rate_limit: 0, runpod_config: { mode: 'pod' } } as ProviderConfig)).toThrow(/pod_id is required/);
  });

  it('mode serverless_template: the endpoint OpenAI wrapper at /v2/<id>/openai/v1, streaming included', async () => {
    const a = make({ mode: 'serverless_template', endpoint_id: 'ep123' }, { endpoint: rp.serverlessUrl });
    const res = await a.complete(request());
    expect(res.choices[0]!.message).toMatchObject({ content: 'echo: hi pod' });
    expect(rp.requests[0]).toMatchObject({ method: 'POST', path: '/v2/ep123/openai/v1/chat/completions' });
    const chunks = await collect(a.stream(request({ stream: true })));
    expect(chunks.at(-1)!.usage).toBeTruthy();
  });

  describe('mode serverless (native runsync/run + status)', () => {
    it('runsync: maps worker-vllm output and its usage', async () => {
      const a = make({ mode: 'serverless', endpoint_id: 'ep9' }, { endpoint: rp.serverlessUrl });
      const res = await a.complete(request({ max_tokens: 10 }));
      expect(res.choices[0]).toMatchObject({ message: { content: 'echo: hi pod' }, finish_reason: 'stop' });
      expect(res.usage).toMatchObject({ prompt_tokens: 2, completion_tokens: 3 });
      expect(rp.requests[0]).toMatchObject({ path: '/v2/ep9/runsync', body: { input: { model: 'qwen3', max_tokens: 10, messages: [{ role: 'user', content: 'hi pod' }] } } });
    });

    it('polls /status until the job completes; a failed job is UPSTREAM_UNAVAILABLE with the worker error', async () => {
      const a = make({ mode: 'serverless', endpoint_id: 'ep9' }, { endpoint: rp.serverlessUrl });
      rp.enqueue({ kind: 'job', polls: 2, output: { choices: [{ message: { role: 'assistant', content: 'done', tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{"a":1}' } }] }, finish_reason: 'tool_calls' }], usage: { prompt_tokens: 5, completion_tokens: 6, total_tokens: 11 } } });
      const res = await a.complete(request());
      expect(res.choices[0]).toMatchObject({ finish_reason: 'tool_calls', message: { content: 'done', tool_calls: [{ id: 'c1', function: { name: 'f', arguments: '{"a":1}' } }] } });
      expect([...rp.jobs.values()][0]!.statusChecks).toBe(3); // two IN_PROGRESS answers, then COMPLETED
      rp.enqueue({ kind: 'job', status: 'FAILED', error: 'CUDA out of memory' });
      const err = await failure(a.complete(request()));
      expect(err).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
      expect(err.message).toContain('CUDA out of memory');
    });

    it('streams through /run + status as OpenAI chunks, and cancels the job when the caller leaves', async () => {
      const a = make({ mode: 'serverless', endpoint_id: 'ep9' }, { endpoint: rp.serverlessUrl });
      rp.enqueue({ kind: 'job', polls: 1, output: 'plain text output' });
      const chunks = await collect(a.stream(request({ stream: true })));
      expect(rp.requests[0]!.path).toBe('/v2/ep9/run');
      expect(chunks.map((c) => delta(c)?.['content'] ?? '').join('')).toBe('plain text output');
      expect(chunks.at(-2)!.choices[0]).toMatchObject({ finish_reason: 'stop' });
      expect(new Set(chunks.map((c) => c.id)).size).toBe(1);

      rp.enqueue({ kind: 'job', polls: 1000 });
      const ac = new AbortController();
      const pending = a.complete(request({}, ac.signal));
      await eventually(() => expect(rp.jobs.size).toBe(2));
      ac.abort();
      expect((await failure(pending)).code).toBe('CANCELLED');
      await eventually(() => expect([...rp.jobs.values()][1]!.cancelled).toBe(true));
    });

    it('upstream 429 with Retry-After → RATE_LIMITED', async () => {
      const a = make({ mode: 'serverless', endpoint_id: 'ep9' }, { endpoint: rp.serverlessUrl });
      rp.enqueue({ kind: 'error', status: 429, headers: { 'retry-after': '4' } });
      const err = await failure(a.complete(request()));
      expect(err.code).toBe('RATE_LIMITED');
      expect(err.extras.retryAfterMs).toBe(4000);
    });
  });

  it('maps the output shapes workers return', () => {
    expect(mapOutput([{ choices: [{ tokens: ['a', 'b'] }], usage: { input: 1, output: 2 } }])).toMatchObject({ content: 'ab', usage: { prompt: 1, completion: 2 } });
    expect(mapOutput({ response: 'r' }).content).toBe('r');
    expect(mapOutput({ choices: [{ text: 't', finish_reason: 'length' }] })).toMatchObject({ content: 't', finishReason: 'length' });
    expect(mapOutput({ weird: 1 }).content).toBe('{"weird":1}');
  });
});
