export { startFakeOpenAI } from './fake-openai/fake-openai.server';
export type {
  AbortRecord,
  DelayHeadersScenario,
  ErrorScenario,
  FakeOpenAI,
  FakeOpenAIOptions,
  HangScenario,
  MidstreamErrorScenario,
  RecordedRequest,
  ResetScenario,
  Scenario,
  TextScenario,
  ToolCallScenario,
} from './fake-openai/fake-openai.types';
export { eventually, type EventuallyOptions } from './util/eventually';
export { freePort } from './util/free-port';
export { startStack, ALL_SERVICES } from './stack/stack';
export type { Stack, StackOptions, StackService } from './stack/stack';
export { createTestDatabase, testRedisPrefix, clearRedisPrefix, testServiceUrls } from './db/test-database';
export type { TestDatabase } from './db/test-database';
export { httpJson, type JsonResponse } from './util/http-json';
export { startTcpProxy } from './util/tcp-proxy';
export type { TcpProxy, TcpProxyOptions } from './util/tcp-proxy';
export { startOtlpStub, flattenOtlpJson } from './otlp/otlp-stub';
export type { ExportedSpan, OtlpStub } from './otlp/otlp-stub';
export type { FakeUpstream, BaseScenario, ReplayScenario } from './fake-upstream/fake-upstream.types';
export { startFakeAnthropic, anthropicSse, anthropicErrorBody, validateMessagesRequest } from './fake-anthropic/fake-anthropic.server';
export type {
  FakeAnthropic,
  FakeAnthropicOptions,
  AnthropicScenario,
  AnthropicTextScenario,
  AnthropicToolUseScenario,
  AnthropicMidstreamScenario,
} from './fake-anthropic/fake-anthropic.server';
export { startFakeGemini, geminiSse, geminiErrorBody, validateGenerateContent } from './fake-gemini/fake-gemini.server';
export type {
  FakeGemini,
  FakeGeminiOptions,
  GeminiScenario,
  GeminiTextScenario,
  GeminiFunctionCallScenario,
  GeminiBlockedScenario,
  GeminiMidstreamScenario,
} from './fake-gemini/fake-gemini.server';
export { startFakeOllama } from './fake-ollama/fake-ollama.server';
export type { FakeOllama, FakeOllamaOptions, FakeOllamaModel, OllamaScenario, OllamaTextScenario, OllamaToolCallsScenario, OllamaMidstreamScenario } from './fake-ollama/fake-ollama.server';
export { startFakeRunpod } from './fake-runpod/fake-runpod.server';
export type { FakeRunpod, FakeRunpodOptions, FakePodSpec, FakePodState, RunpodScenario, RunpodJobScenario } from './fake-runpod/fake-runpod.server';
export { listProviderFixtures, fixtureScenario, fixtureWire, fixtureStatus, fixtureHeaders, fixtureIsStream, PROVIDER_FIXTURES_DIR } from './fixtures/provider-fixtures';
export type { ProviderFixture, FixtureProvider, FixtureFormat } from './fixtures/provider-fixtures';
