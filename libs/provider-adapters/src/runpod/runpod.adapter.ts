import type { ChatCompletion, ChatCompletionChunk, ProviderConfig } from '@aisbf/contracts';
import { AppError } from '@aisbf/platform-errors';
import type { AdapterChatRequest, AdapterDeps, PodActivityStore, ProviderAdapter, UpstreamModel } from '../adapter.port';
import { OllamaAdapter } from '../ollama/ollama.adapter';
import { OpenAICompatibleAdapter } from '../openai/openai.adapter';
import type { Json } from '../shared/openai-input';
import { RunpodHttp, sleep } from './runpod-http';
import { chunksFromJob, completionFromJob, runJob } from './runpod-serverless';

export const RUNPOD_MANAGEMENT_API = 'https://rest.runpod.io/v1';
export const RUNPOD_SERVERLESS_API = 'https://api.runpod.ai/v2';

type RunpodConfig = NonNullable<ProviderConfig['runpod_config']>;

class MemoryPodActivity implements PodActivityStore {
  private readonly last = new Map<string, number>();
  async touch(key: string, at: number): Promise<void> {
    this.last.set(key, Math.max(at, this.last.get(key) ?? 0));
  }
  async lastUsed(key: string): Promise<number | undefined> {
    return this.last.get(key);
  }
}

/**
 * Where a running pod serves: its public IP and the public port mapped to its first exposed non-SSH port (as the
 * original did). Undefined until the pod runs and has both, which is what "ready" means here.
 */
export function podEndpoint(pod: Json): string | undefined {
  if (pod['desiredStatus'] !== 'RUNNING') return undefined;
  const ip = typeof pod['publicIp'] === 'string' && pod['publicIp'] ? pod['publicIp'] : undefined;
  const mappings = pod['portMappings'] && typeof pod['portMappings'] === 'object' ? (pod['portMappings'] as Record<string, unknown>) : undefined;
  if (!ip || !mappings) return undefined;
  const ports = (Array.isArray(pod['ports']) ? (pod['ports'] as unknown[]) : []).map((p) => /^(\d+)\//.exec(String(p))?.[1]).filter((p): p is string => !!p && p !== '22');
  for (const port of [...ports, ...Object.keys(mappings).filter((p) => p !== '22')]) {
    const mapped = mappings[port];
    if (typeof mapped === 'number') return `http://${ip}:${mapped}`;
  }
  return undefined;
}

/**
 * RunPod, per `runpod_config.mode`:
 * - `pod`: the pod (`pod_id`) is started through the management API when it is stopped, polled every
 *   `startup_poll_interval_ms` until it runs with a port mapping (at most `startup_timeout_ms`), then called through
 *   the `wrapper_mode` adapter (`openai`/`coderai` at `http://ip:port/v1`, `ollama` at `http://ip:port`). A watcher
 *   stops it once nobody used it for `idle_shutdown_ms` (0 disables); last-use times live in `deps.podActivity`
 *   (Redis in provider-workers, so every replica's traffic counts).
 * - `serverless_template`: the endpoint's OpenAI wrapper at `<serverless base>/<endpoint_id>/openai/v1`.
 * - `serverless` / `public`: the native `runsync`/`run` + status protocol (see runpod-serverless.ts).
 * Management base: `management_api` → provider `endpoint` → https://rest.runpod.io/v1. Serverless base: provider
 * `endpoint` → https://api.runpod.ai/v2.
 */
export class RunpodAdapter implements ProviderAdapter {
  readonly type = 'runpod';
  private readonly rp: RunpodConfig;
  private readonly http: RunpodHttp;
  private readonly activity: PodActivityStore;
  private readonly wrappers = new Map<string, ProviderAdapter>();
  private starting?: Promise<string>;
  private inflight = 0;
  private watcher?: NodeJS.Timeout;
  private stoppingIdle = false;

  constructor(
    readonly providerId: string,
    private readonly config: ProviderConfig,
    private readonly deps: AdapterDeps = {},
  ) {
    this.rp = config.runpod_config ?? ({ mode: 'pod', wrapper_mode: 'openai', startup_poll_interval_ms: 3000, startup_timeout_ms: 300000, idle_shutdown_ms: 900000 } as RunpodConfig);
    this.http = new RunpodHttp(providerId, config.api_key, deps.fetch ?? fetch);
    this.activity = deps.podActivity ?? new MemoryPodActivity();
    if (this.mode === 'pod' && !this.rp.pod_id) throw this.misconfigured('runpod_config.pod_id is required in mode "pod"');
    if ((this.mode === 'serverless' || this.mode === 'serverless_template') && !this.endpointId) {
      throw this.misconfigured(`runpod_config.endpoint_id is required in mode "${this.mode}"`);
    }
  }

  private get mode(): string {
    return this.rp.mode ?? 'pod';
  }

  private get endpointId(): string | undefined {
    return this.rp.endpoint_id ?? this.rp.serverless_template_id;
  }

  private misconfigured(message: string): AppError {
    return new AppError('BAD_REQUEST', `Provider '${this.providerId}': ${message}`, { providerId: this.providerId, retryable: false });
  }

  private get managementBase(): string {
    const m = this.rp.management_api;
    return (m && /^https?:\/\//.test(m) ? m : this.config.endpoint || RUNPOD_MANAGEMENT_API).replace(/\/+$/, '');
  }

  private get serverlessBase(): string {
    return (this.mode !== 'pod' && this.config.endpoint ? this.config.endpoint : RUNPOD_SERVERLESS_API).replace(/\/+$/, '');
  }

  private get podKey(): string {
    return `${this.providerId}:${this.rp.pod_id}`;
  }

  // ------------------------------------------------------------------------------------------- delegation

  private wrapper(kind: 'openai' | 'ollama' | 'coderai', base: string, apiKey: string | undefined): ProviderAdapter {
    const key = `${kind} ${base}`;
    let a = this.wrappers.get(key);
    if (!a) {
      const cfg = { ...this.config, endpoint: base, api_key: apiKey } as ProviderConfig;
      a = kind === 'ollama' ? new OllamaAdapter(this.providerId, cfg, this.deps) : new OpenAICompatibleAdapter(this.providerId, cfg, this.deps);
      this.wrappers.set(key, a);
    }
    return a;
  }

  /** The key for the server inside a pod (not the RunPod account key): `auth_config.api_key`, if any. */
  private get podServerKey(): string | undefined {
    const k = this.config.auth_config?.['api_key'];
    return typeof k === 'string' ? k : undefined;
  }

  private async target(req: AdapterChatRequest): Promise<ProviderAdapter | undefined> {
    switch (this.mode) {
      case 'pod': {
        const base = await this.ensurePod(req.signal, req.timeoutMs);
        const kind = this.rp.wrapper_mode ?? 'openai';
        return this.wrapper(kind, kind === 'ollama' ? base : `${base}/v1`, this.podServerKey);
      }
      case 'serverless_template':
        return this.wrapper('openai', `${this.serverlessBase}/${encodeURIComponent(this.endpointId!)}/openai/v1`, this.config.api_key);
      case 'public': {
        const protocol = String(this.rp.public_models?.[req.model]?.['protocol'] ?? this.rp.public_endpoint_protocol_default ?? 'runpod_public');
        if (protocol === 'openai') return this.wrapper('openai', `${this.serverlessBase}/${encodeURIComponent(req.model)}/openai/v1`, this.config.api_key);
        return undefined;
      }
      default:
        return undefined; // native serverless
    }
  }

  private async tracked<T>(fn: () => Promise<T>): Promise<T> {
    const pod = this.mode === 'pod';
    if (pod) {
      this.inflight++;
      await this.activity.touch(this.podKey, Date.now()).catch(() => undefined);
    }
    try {
      return await fn();
    } finally {
      if (pod) {
        this.inflight--;
        await this.activity.touch(this.podKey, Date.now()).catch(() => undefined);
        this.watchIdle();
      }
    }
  }

  async complete(req: AdapterChatRequest): Promise<ChatCompletion> {
    return this.tracked(async () => {
      const t = await this.target(req);
      if (t) return t.complete(req);
      const endpoint = this.mode === 'public' ? req.model : this.endpointId!;
      return completionFromJob(await runJob(this.http, this.serverlessBase, endpoint, req, this.providerId, this.jobPollMs, true), req.model);
    });
  }

  async *stream(req: AdapterChatRequest): AsyncIterable<ChatCompletionChunk> {
    if (this.mode === 'pod') {
      this.inflight++;
      await this.activity.touch(this.podKey, Date.now()).catch(() => undefined);
    }
    try {
      const t = await this.target(req);
      if (t) {
        yield* t.stream(req);
        return;
      }
      const endpoint = this.mode === 'public' ? req.model : this.endpointId!;
      yield* chunksFromJob(await runJob(this.http, this.serverlessBase, endpoint, req, this.providerId, this.jobPollMs, false), req.model);
    } finally {
      if (this.mode === 'pod') {
        this.inflight--;
        await this.activity.touch(this.podKey, Date.now()).catch(() => undefined);
        this.watchIdle();
      }
    }
  }

  private get jobPollMs(): number {
    return Math.min(this.rp.startup_poll_interval_ms ?? 3000, 1000);
  }

  async listModels(signal: AbortSignal): Promise<UpstreamModel[]> {
    if (this.mode === 'serverless_template') return this.wrapper('openai', `${this.serverlessBase}/${encodeURIComponent(this.endpointId!)}/openai/v1`, this.config.api_key).listModels(signal);
    if (this.mode !== 'pod') return [];
    // Listing must not start (and pay for) a stopped pod: only a running one is asked.
    const pod = await this.http.call<Json>('GET', `${this.managementBase}/pods/${encodeURIComponent(this.rp.pod_id!)}`, signal);
    const base = podEndpoint(pod);
    if (!base) return [];
    const kind = this.rp.wrapper_mode ?? 'openai';
    return this.wrapper(kind, kind === 'ollama' ? base : `${base}/v1`, this.podServerKey).listModels(signal);
  }

  // ------------------------------------------------------------------------------------------- pod lifecycle

  /** The running pod's base URL; starts the pod first when it is stopped (one start for all concurrent callers). */
  private async ensurePod(signal: AbortSignal, timeoutMs: number): Promise<string> {
    const podId = this.rp.pod_id!;
    const pod = await this.http.call<Json>('GET', `${this.managementBase}/pods/${encodeURIComponent(podId)}`, signal);
    const ready = podEndpoint(pod);
    if (ready) return ready;
    if (pod['desiredStatus'] === 'TERMINATED') {
      throw new AppError('UPSTREAM_UNAVAILABLE', `RunPod pod '${podId}' of provider '${this.providerId}' is terminated`, { providerId: this.providerId });
    }
    this.starting ??= this.startAndWait(pod).finally(() => {
      this.starting = undefined;
    });
    // The start goes on for other callers even if this one gives up.
    const budget = Math.min(timeoutMs, (this.rp.startup_timeout_ms ?? 300000) + 1000);
    const done = new AbortController();
    const deadline = sleep(budget, AbortSignal.any([signal, done.signal]), this.providerId).then(() => {
      throw new AppError('TIMEOUT', `RunPod pod '${podId}' did not become ready in time`, { providerId: this.providerId });
    });
    deadline.catch(() => undefined);
    try {
      return await Promise.race([this.starting, deadline]);
    } finally {
      done.abort();
    }
  }

  private async startAndWait(first: Json): Promise<string> {
    const podId = this.rp.pod_id!;
    const url = `${this.managementBase}/pods/${encodeURIComponent(podId)}`;
    const bg = AbortSignal.timeout((this.rp.startup_timeout_ms ?? 300000) + 30_000);
    // A RUNNING pod without a mapping is still booting: wait for it; anything else is started.
    if (first['desiredStatus'] !== 'RUNNING') await this.http.call('POST', `${url}/start`, bg);
    const deadline = Date.now() + (this.rp.startup_timeout_ms ?? 300000);
    const interval = this.rp.startup_poll_interval_ms ?? 3000;
    for (;;) {
      const pod = await this.http.call<Json>('GET', url, bg);
      const base = podEndpoint(pod);
      if (base) {
        await this.activity.touch(this.podKey, Date.now()).catch(() => undefined);
        return base;
      }
      if (Date.now() + interval > deadline) {
        throw new AppError('TIMEOUT', `RunPod pod '${podId}' did not get a port mapping within ${this.rp.startup_timeout_ms ?? 300000} ms`, { providerId: this.providerId });
      }
      await sleep(interval, bg, this.providerId);
    }
  }

  /** Starts the idle watcher once the pod has been used. */
  private watchIdle(): void {
    const idle = this.rp.idle_shutdown_ms ?? 900000;
    if (this.watcher || idle <= 0) return;
    const every = Math.min(30_000, Math.max(200, Math.floor(idle / 4)));
    this.watcher = setInterval(() => void this.checkIdle(idle), every);
    this.watcher.unref();
  }

  /** Stops the pod once nobody used it for `idle_shutdown_ms` (requests in flight keep it alive). */
  async checkIdle(idleMs = this.rp.idle_shutdown_ms ?? 900000, now = Date.now()): Promise<boolean> {
    if (this.stoppingIdle || this.starting) return false;
    if (this.inflight > 0) {
      await this.activity.touch(this.podKey, Date.now()).catch(() => undefined);
      return false;
    }
    const last = await this.activity.lastUsed(this.podKey).catch(() => undefined);
    if (last === undefined || now - last < idleMs) return false;
    this.stoppingIdle = true;
    try {
      const url = `${this.managementBase}/pods/${encodeURIComponent(this.rp.pod_id!)}`;
      const pod = await this.http.call<Json>('GET', url, AbortSignal.timeout(15_000));
      if (pod['desiredStatus'] === 'RUNNING') await this.http.call('POST', `${url}/stop`, AbortSignal.timeout(15_000));
      clearInterval(this.watcher);
      this.watcher = undefined;
      return true;
    } catch {
      return false; // try again on the next tick
    } finally {
      this.stoppingIdle = false;
    }
  }

  async close(): Promise<void> {
    clearInterval(this.watcher);
    this.watcher = undefined;
    await Promise.all([...this.wrappers.values()].map((w) => w.close?.()));
  }
}
