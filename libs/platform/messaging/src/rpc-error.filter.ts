import { AppError } from '@aisbf/platform-errors';
import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException } from '@nestjs/common';
import { type Observable, throwError } from 'rxjs';

/**
 * Every error a NATS handler throws (or its Observable emits) leaves the service as a coded envelope; unknown errors
 * become INTERNAL without their text (it may hold secrets), and are logged here. On the HTTP side of a service (its
 * health endpoints) errors are answered as plain JSON.
 */
@Catch()
export class RpcErrorFilter implements ExceptionFilter {
  constructor(private readonly log: (err: unknown) => void = () => undefined) {}

  catch(exception: unknown, host: ArgumentsHost): Observable<never> | void {
    if (host.getType() !== 'rpc') {
      const reply = host.switchToHttp().getResponse<{ status(n: number): { send(b: unknown): void } }>();
      const status = exception instanceof HttpException ? exception.getStatus() : 500;
      if (status >= 500) this.log(exception);
      reply.status(status).send({ error: { message: status === 404 ? 'Not found' : 'Internal error', code: status } });
      return;
    }
    if (!(exception instanceof AppError)) this.log(exception);
    return throwError(() => AppError.from(exception).toEnvelope());
  }
}
