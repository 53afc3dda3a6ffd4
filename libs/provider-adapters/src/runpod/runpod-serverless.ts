import type { ChatCompletion, ChatCompletionChunk } from '@aisbf/contracts';
import { AppError } from '@aisbf/platform-errors';
import type { AdapterChatRequest } from '../adapter.port';
import { isObject, type Json } from '../shared/openai-input';
import { argumentsJson, buildCompletion, ChunkStream, completionId, type OpenAIToolCall, toolCallId, usageOf } from '../shared/openai-output';
import { type RunpodHttp, sleep } from './runpod-http';

/**
 * RunPod's native serverless protocol: `POST /v2/{endpoint}/runsync` (or `/run`) with `{"input": …}`, then
 * `GET /status/{job}` until the job is COMPLETED, FAILED, CANCELLED or TIMED_OUT; `POST /cancel/{job}` when the caller
 * goes away. The input is the caller's OpenAI body (what OpenAI-style workers such as worker-vllm read); the output is
 * mapped back whatever its shape: an OpenAI completion, worker-vllm's `[{choices:[{tokens}], usage:{input,output}}]`,
 * `{text|response|content|output}`, a string, or else the JSON itself as text.
 */

const TERMINAL = new Set(['COMPLETED', 'FAILED', 'CANCELLED', 'TIMED_OUT']);

interface JobStatus {
  id?: string;
  status?: string;
  output?: unknown;
  error?: unknown;
}

export interface JobResult {
  jobId: string;
  output: unknown;
}

export async function runJob(http: RunpodHttp, base: string, endpointId: string, req: AdapterChatRequest, providerId: string, pollMs: number, sync: boolean): Promise<JobResult> {
  const { stream: _s, stream_options: _so, ...input } = req.body as Json;
  const url = `${base}/${encodeURIComponent(endpointId)}`;
  const deadline = Date.now() + req.timeoutMs;
  let status = await http.call<JobStatus>('POST', `${url}/${sync ? 'runsync' : 'run'}`, req.signal, { input: { ...input, model: req.model } });
  const jobId = String(status.id ?? '');
  if (!jobId) throw new AppError('UPSTREAM_UNAVAILABLE', 'RunPod did not return a job id', { providerId });
  try {
    while (!TERMINAL.has(String(status.status))) {
      if (Date.now() + pollMs > deadline) throw new AppError('TIMEOUT', `RunPod job ${jobId} did not finish in time`, { providerId });
      await sleep(pollMs, req.signal, providerId);
      status = await http.call<JobStatus>('GET', `${url}/status/${encodeURIComponent(jobId)}`, req.signal);
    }
  } catch (err) {
    // The caller went away or we gave up: free the worker.
    void http.call('POST', `${url}/cancel/${encodeURIComponent(jobId)}`, AbortSignal.timeout(5000)).catch(() => undefined);
    throw err;
  }
  switch (status.status) {
    case 'COMPLETED':
      return { jobId, output: status.output };
    case 'FAILED': {
      const message = typeof status.error === 'string' ? status.error : JSON.stringify(status.error ?? 'unknown error');
      throw new AppError('UPSTREAM_UNAVAILABLE', `RunPod job ${jobId} failed: ${message.slice(0, 1000)}`, { providerId, upstreamStatus: 500 });
    }
    case 'TIMED_OUT':
      throw new AppError('TIMEOUT', `RunPod job ${jobId} timed out on the worker`, { providerId });
    default:
      throw new AppError('UPSTREAM_UNAVAILABLE', `RunPod job ${jobId} was cancelled upstream`, { providerId });
  }
}

interface Mapped {
  content: string | null;
  reasoning?: string;
  toolCalls: OpenAIToolCall[];
  finishReason: string;
  usage: { prompt: number; completion: number } | null;
  model?: string;
}

function usageFromOutput(u: unknown): Mapped['usage'] {
  if (!isObject(u)) return null;
  const prompt = u['prompt_tokens'] ?? u['input'] ?? u['input_tokens'];
  const completion = u['completion_tokens'] ?? u['output'] ?? u['output_tokens'];
  return typeof prompt === 'number' || typeof completion === 'number' ? { prompt: Number(prompt ?? 0), completion: Number(completion ?? 0) } : null;
}

/** Whatever the worker returned, as one assistant message. */
export function mapOutput(output: unknown): Mapped {
  if (Array.isArray(output)) {
    if (output.length === 1) return mapOutput(output[0]);
    // worker-vllm streams batches: concatenate their tokens
    const parts = output.map(mapOutput);
    const last = parts.at(-1);
    return { content: parts.map((p) => p.content ?? '').join(''), toolCalls: [], finishReason: last?.finishReason ?? 'stop', usage: parts.reduce<Mapped['usage']>((u, p) => p.usage ?? u, null) };
  }
  if (typeof output === 'string') return { content: output, toolCalls: [], finishReason: 'stop', usage: null };
  if (isObject(output)) {
    const choices = Array.isArray(output['choices']) ? (output['choices'] as Json[]) : undefined;
    const usage = usageFromOutput(output['usage']);
    if (choices?.length) {
      const c = choices[0]!;
      const finish = typeof c['finish_reason'] === 'string' ? c['finish_reason'] : undefined;
      if (isObject(c['message'])) {
        const m = c['message'];
        const calls = (Array.isArray(m['tool_calls']) ? (m['tool_calls'] as Json[]) : []).map((tc) => {
          const fn = (isObject(tc['function']) ? tc['function'] : {}) as Json;
          return { id: typeof tc['id'] === 'string' ? tc['id'] : toolCallId(), type: 'function' as const, function: { name: String(fn['name'] ?? ''), arguments: argumentsJson(fn['arguments']) } };
        });
        const reasoning = m['reasoning_content'] ?? m['reasoning'];
        return {
          content: typeof m['content'] === 'string' ? m['content'] : null,
          ...(typeof reasoning === 'string' && reasoning ? { reasoning } : {}),
          toolCalls: calls,
          finishReason: finish ?? (calls.length ? 'tool_calls' : 'stop'),
          usage,
          ...(typeof output['model'] === 'string' ? { model: output['model'] } : {}),
        };
      }
      const tokens = Array.isArray(c['tokens']) ? (c['tokens'] as unknown[]).map(String).join('') : typeof c['text'] === 'string' ? c['text'] : undefined;
      if (tokens !== undefined) return { content: tokens, toolCalls: [], finishReason: finish ?? 'stop', usage };
    }
    for (const key of ['text', 'response', 'content', 'output', 'generated_text']) {
      if (typeof output[key] === 'string') return { content: output[key] as string, toolCalls: [], finishReason: 'stop', usage };
    }
  }
  return { content: JSON.stringify(output ?? null), toolCalls: [], finishReason: 'stop', usage: null };
}

export function completionFromJob(job: JobResult, model: string): ChatCompletion {
  const m = mapOutput(job.output);
  return buildCompletion({
    id: completionId(job.jobId),
    model: m.model ?? model,
    choices: [{ message: { content: m.content, ...(m.reasoning ? { reasoning: m.reasoning } : {}), toolCalls: m.toolCalls }, finishReason: m.finishReason }],
    usage: m.usage ? usageOf(m.usage) : usageOf({ prompt: 0, completion: 0 }),
  });
}

/** A finished job as a stream (the native protocol delivers the output when the job completes). */
export function chunksFromJob(job: JobResult, model: string): ChatCompletionChunk[] {
  const m = mapOutput(job.output);
  const out = new ChunkStream(completionId(job.jobId), m.model ?? model);
  const chunks: ChatCompletionChunk[] = [];
  if (m.reasoning) chunks.push(out.delta({ reasoning_content: m.reasoning }));
  if (m.content) chunks.push(out.delta({ content: m.content }));
  m.toolCalls.forEach((tc, index) => chunks.push(out.delta({ tool_calls: [{ index, id: tc.id, type: 'function', function: tc.function }] })));
  chunks.push(out.finish(m.finishReason), out.usage(usageOf(m.usage ?? { prompt: 0, completion: 0 })));
  return chunks;
}
