export { AppError, isAppError } from './app-error';
export type { AppErrorExtras } from './app-error';
