import { Readable } from 'node:stream';
import { countWords, startFakeUpstream } from '../fake-upstream/fake-upstream.core';
import type { BaseScenario, FakeUpstream } from '../fake-upstream/fake-upstream.types';

type Json = Record<string, unknown>;

/**
 * A fake RunPod: the management REST API (`GET /v1/pods/{id}`, `POST /v1/pods/{id}/start|stop`, shaped like
 * https://rest.runpod.io/v1) and the serverless API (`POST /v2/{endpoint}/runsync|run`, `GET /v2/{endpoint}/status/{job}`,
 * `POST /v2/{endpoint}/cancel/{job}`, shaped like https://api.runpod.ai/v2), plus `/v2/{endpoint}/openai/v1/*` proxied
 * to an OpenAI-compatible fake. A stopped pod becomes RUNNING after `start`, but gets its public IP and port mapping
 * only after `startupPolls` more GETs, as real pods do while the container boots. The port mapping points at
 * `upstreamPort` (e.g. a fake OpenAI or Ollama), so the wrapper call lands there.
 */

export interface FakePodSpec {
  desiredStatus?: 'RUNNING' | 'EXITED' | 'TERMINATED';
  /** Where the pod's exposed port really is (a fake upstream on 127.0.0.1). */
  upstreamPort: number;
  /** The container port (default 8000), exposed as `<port>/http`. */
  internalPort?: number;
  /** GETs after `start` before the IP/port mapping appears (default 1). */
  startupPolls?: number;
}

export interface FakePodState {
  id: string;
  desiredStatus: string;
  startCalls: number;
  stopCalls: number;
  gets: number;
  pollsLeft: number;
  spec: FakePodSpec;
}

/** A serverless job: `output` when it completes (after `polls` status checks still IN_PROGRESS), or a failure. */
export interface RunpodJobScenario {
  kind: 'job';
  output?: unknown;
  /** Status answers that still say IN_PROGRESS before COMPLETED (runsync answers IN_PROGRESS too when > 0). */
  polls?: number;
  status?: 'COMPLETED' | 'FAILED' | 'TIMED_OUT';
  error?: string;
}

export type RunpodScenario = RunpodJobScenario;

export interface FakeRunpodOptions {
  port?: number;
  host?: string;
  /** Bearer key every call must carry. */
  apiKey?: string;
  pods?: Record<string, FakePodSpec>;
  /** Base URL (with /v1) of an OpenAI-compatible fake answering `/v2/{endpoint}/openai/v1/*`. */
  openaiUpstream?: string;
}

export interface FakeRunpod extends FakeUpstream<RunpodScenario> {
  /** Management API base (`<url>/v1`), to configure as `runpod_config.management_api` or the provider `endpoint`. */
  managementUrl: string;
  /** Serverless API base (`<url>/v2`). */
  serverlessUrl: string;
  pods: Map<string, FakePodState>;
  /** Jobs by id with their status checks and whether they were cancelled. */
  jobs: Map<string, { endpoint: string; input: unknown; statusChecks: number; cancelled: boolean }>;
}

function podJson(p: FakePodState): Json {
  const port = p.spec.internalPort ?? 8000;
  const ready = p.desiredStatus === 'RUNNING' && p.pollsLeft <= 0;
  return {
    id: p.id,
    name: `fake-${p.id}`,
    image: 'vllm/vllm-openai:latest',
    desiredStatus: p.desiredStatus,
    costPerHr: '0.74',
    adjustedCostPerHr: 0.69,
    gpuCount: 1,
    containerDiskInGb: 50,
    ports: [`${port}/http`, '22/tcp'],
    ...(ready ? { publicIp: '127.0.0.1', portMappings: { [String(port)]: p.spec.upstreamPort, '22': 10341 } } : { publicIp: null, portMappings: null }),
    lastStartedAt: '2024-07-12T19:14:40.144Z',
    lastStatusChange: `${p.desiredStatus} (fake)`,
    interruptible: false,
    locked: false,
  };
}

function lastUserText(input: unknown): string {
  const messages = input && typeof input === 'object' && Array.isArray((input as Json)['messages']) ? ((input as Json)['messages'] as Json[]) : [];
  const user = [...messages].reverse().find((m) => m['role'] === 'user');
  return user && typeof user['content'] === 'string' ? user['content'] : '';
}

export async function startFakeRunpod(options: FakeRunpodOptions = {}): Promise<FakeRunpod> {
  const pods = new Map<string, FakePodState>();
  const resetPods = () => {
    pods.clear();
    for (const [id, spec] of Object.entries(options.pods ?? {})) {
      pods.set(id, { id, desiredStatus: spec.desiredStatus ?? 'EXITED', startCalls: 0, stopCalls: 0, gets: 0, pollsLeft: spec.desiredStatus === 'RUNNING' ? 0 : (spec.startupPolls ?? 1), spec });
    }
  };
  resetPods();
  const jobs: FakeRunpod['jobs'] = new Map();
  const pending = new Map<string, { scenario: RunpodJobScenario; pollsLeft: number }>();
  let jobCounter = 0;

  const defaultOutput = (input: unknown) => {
    const text = `echo: ${lastUserText(input)}`;
    // worker-vllm's output shape
    return [{ choices: [{ tokens: [text] }], usage: { input: countWords(lastUserText(input)), output: countWords(text) } }];
  };

  const jobStatus = (id: string): Json => {
    const job = jobs.get(id)!;
    const p = pending.get(id)!;
    if (job.cancelled) return { id, status: 'CANCELLED' };
    if (p.pollsLeft > 0) return { id, status: 'IN_PROGRESS', delayTime: 120 };
    const s = p.scenario;
    const status = s.status ?? 'COMPLETED';
    if (status === 'FAILED') return { id, status, delayTime: 120, executionTime: 40, error: s.error ?? 'handler raised an exception' };
    if (status === 'TIMED_OUT') return { id, status, delayTime: 120 };
    return { id, status, delayTime: 120, executionTime: 800, output: s.output ?? defaultOutput(job.input) };
  };

  const base = await startFakeUpstream<RunpodScenario>({
    name: 'fake-runpod',
    host: options.host,
    port: options.port,
    url: (hp) => `http://${hp}`,
    defaultScenario: () => ({ kind: 'job' }),
    errorBody: (status) => ({ error: status === 401 ? 'Unauthorized' : status === 404 ? 'not found' : status === 429 ? 'rate limit exceeded, retry later' : `request failed with status ${status}` }),
    onReset: () => {
      resetPods();
      jobs.clear();
      pending.clear();
    },
    route: async (ctx) => {
      const ex = ctx.exchange(undefined);
      const send = (status: number, payload: unknown) => ex.json(status, payload);
      if (options.apiKey !== undefined && ctx.headers['authorization'] !== `Bearer ${options.apiKey}`) return send(401, { error: 'Unauthorized' });
      const p = ctx.pathname;

      // ------------------------------------------------------------------ management
      const pod = /^\/v1\/pods\/([^/]+)(?:\/(start|stop))?$/.exec(p);
      if (pod) {
        const state = pods.get(pod[1]!);
        if (!state) return send(404, { error: 'pod not found', status: 404 });
        if (ctx.method === 'GET' && !pod[2]) {
          state.gets += 1;
          const answer = podJson(state);
          if (state.desiredStatus === 'RUNNING' && state.pollsLeft > 0 && state.startCalls > 0) state.pollsLeft -= 1;
          return send(200, answer);
        }
        if (ctx.method === 'POST' && pod[2] === 'start') {
          if (state.desiredStatus === 'TERMINATED') return send(400, { error: 'pod is terminated and cannot be started' });
          state.startCalls += 1;
          if (state.desiredStatus !== 'RUNNING') {
            state.desiredStatus = 'RUNNING';
            state.pollsLeft = state.spec.startupPolls ?? 1;
          }
          return send(200, podJson(state));
        }
        if (ctx.method === 'POST' && pod[2] === 'stop') {
          state.stopCalls += 1;
          state.desiredStatus = 'EXITED';
          return send(200, podJson(state));
        }
      }

      // ------------------------------------------------------------------ serverless
      const proxied = /^\/v2\/([^/]+)\/openai(\/v1\/.*)$/.exec(p);
      if (proxied && options.openaiUpstream) {
        const target = `${options.openaiUpstream.replace(/\/v1\/?$/, '')}${proxied[2]}${ctx.query.size ? `?${ctx.query}` : ''}`;
        const res = await fetch(target, { method: ctx.method, headers: { 'content-type': 'application/json', authorization: ctx.headers['authorization'] ?? '' }, body: ctx.method === 'GET' ? undefined : ctx.raw });
        ex.head(res.status, { 'content-type': res.headers.get('content-type') ?? 'application/json' });
        ex.res.flushHeaders();
        if (res.body) for await (const chunk of Readable.fromWeb(res.body as never)) if (!ex.event(chunk as Buffer)) return;
        return ex.end();
      }
      const run = /^\/v2\/([^/]+)\/(runsync|run)$/.exec(p);
      if (run && ctx.method === 'POST') {
        const body = (ctx.body && typeof ctx.body === 'object' ? ctx.body : {}) as Json;
        if (!('input' in body)) return send(400, { error: "missing 'input' in request body" });
        const play = async (s: RunpodScenario | BaseScenario<RunpodScenario>): Promise<void> => {
          if (await ctx.playBase(ex, s, play)) return;
          const scenario = s as RunpodJobScenario;
          const id = `fake-job-${++jobCounter}-u1`;
          jobs.set(id, { endpoint: run[1]!, input: body['input'], statusChecks: 0, cancelled: false });
          pending.set(id, { scenario, pollsLeft: scenario.polls ?? 0 });
          if (run[2] === 'run') return send(200, { id, status: 'IN_QUEUE' });
          return send(200, jobStatus(id));
        };
        return play(ctx.scenarioFor(undefined));
      }
      const status = /^\/v2\/([^/]+)\/(status|cancel)\/([^/]+)$/.exec(p);
      if (status) {
        const job = jobs.get(status[3]!);
        if (!job) return send(404, { error: 'job not found' });
        if (status[2] === 'cancel') {
          job.cancelled = true;
          return send(200, { id: status[3], status: 'CANCELLED' });
        }
        job.statusChecks += 1;
        const pend = pending.get(status[3]!)!;
        const answer = jobStatus(status[3]!);
        if (pend.pollsLeft > 0) pend.pollsLeft -= 1;
        return send(200, answer);
      }
      return send(404, { error: `no route for ${ctx.method} ${p}` });
    },
  });
  return Object.assign(base, { managementUrl: `${base.url}/v1`, serverlessUrl: `${base.url}/v2`, pods, jobs });
}
