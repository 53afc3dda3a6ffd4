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
