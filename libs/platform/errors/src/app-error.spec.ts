import { AppError } from './app-error';

describe('AppError', () => {
  it('derives retryable from the code unless told otherwise', () => {
    expect(new AppError('RATE_LIMITED', 'slow down').retryable).toBe(true);
    expect(new AppError('CONTENT_FILTER', 'refused').retryable).toBe(false);
    expect(new AppError('RATE_LIMITED', 'quota gone', { retryable: false }).retryable).toBe(false);
  });

  it('round-trips through its envelope', () => {
    const err = new AppError('RATE_LIMITED', 'Too many', { retryAfterMs: 2000, upstreamStatus: 429, providerId: 'p' });
    const back = AppError.fromEnvelope(JSON.parse(JSON.stringify(err.toEnvelope())));
    expect(back).toBeInstanceOf(AppError);
    expect(back.toEnvelope()).toEqual(err.toEnvelope());
  });

  it('hides the text of unknown errors', () => {
    const err = AppError.from(new Error('password=hunter2 leaked'));
    expect(err.code).toBe('INTERNAL');
    expect(err.message).not.toContain('hunter2');
  });
});
