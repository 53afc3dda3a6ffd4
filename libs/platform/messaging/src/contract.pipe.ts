import { AppError } from '@aisbf/platform-errors';
import type { PipeTransform } from '@nestjs/common';
import type { z } from 'zod';

/** `@Payload(new ContractPipe(Contract.request))`: handlers receive parsed payloads, never casts. */
export class ContractPipe<S extends z.ZodType> implements PipeTransform<unknown, z.infer<S>> {
  constructor(private readonly schema: S) {}

  transform(value: unknown): z.infer<S> {
    const r = this.schema.safeParse(value);
    if (!r.success) {
      const issue = r.error.issues[0];
      throw new AppError('INVALID_REQUEST', `Malformed message: ${issue?.path.join('.') ?? ''} ${issue?.message ?? ''}`.trim(), { retryable: false });
    }
    return r.data;
  }
}
