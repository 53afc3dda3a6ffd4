import type { AppEnv } from '@aisbf/platform-config';
import { natsServerStrategy, RpcErrorFilter, TracingInterceptor } from '@aisbf/platform-messaging';
import { type AppLogger, NestPinoLogger } from '@aisbf/platform-observability';
import type { INestMicroservice, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';

export interface ServiceApp {
  app: NestFastifyApplication;
  microservice?: INestMicroservice;
  /** The HTTP port actually bound (useful when the configured port is 0). */
  port: number;
  close(): Promise<void>;
}

export interface BootstrapOptions {
  env: AppEnv;
  module: Type<unknown> | import('@nestjs/common').DynamicModule;
  logger: AppLogger;
  /** Attach the NATS microservice (every service but a pure HTTP one). */
  nats?: boolean;
  /** Extra Fastify setup before listening (edge-api: error handlers, body limits). */
  configure?: (app: NestFastifyApplication) => void | Promise<void>;
}

/**
 * One way to start every service: a Fastify HTTP app (the API for edge-api, health endpoints for the others) plus,
 * when asked, the NATS microservice with prefixed subjects, the coded-error filter and trace continuation.
 */
export async function bootstrapService(opts: BootstrapOptions): Promise<ServiceApp> {
  const { env, logger } = opts;
  const app = await NestFactory.create<NestFastifyApplication>(
    opts.module as Type<unknown>,
    new FastifyAdapter({ bodyLimit: env.http.bodyLimitBytes, trustProxy: true }),
    { logger: new NestPinoLogger(logger), abortOnError: false },
  );
  app.enableShutdownHooks();
  await opts.configure?.(app);
  let microservice: INestMicroservice | undefined;
  if (opts.nats !== false) {
    // Nest marks a connected microservice as initialised, so its filter and interceptor are inherited from the app;
    // both act on the RPC context and leave the HTTP side (health endpoints) plain.
    app.useGlobalFilters(new RpcErrorFilter((err) => logger.error({ err }, 'unhandled error in a handler')));
    app.useGlobalInterceptors(new TracingInterceptor(env.nats.prefix));
    microservice = app.connectMicroservice(natsServerStrategy(env), { inheritAppConfig: true });
    await app.startAllMicroservices();
  }
  await app.listen(env.http.port, env.http.host);
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : env.http.port;
  logger.info({ port, instanceId: env.instanceId, natsPrefix: env.nats.prefix }, `${env.service} started`);
  return {
    app,
    microservice,
    port,
    close: async () => {
      await app.close();
    },
  };
}
