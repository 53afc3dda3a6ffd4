/** A unique constraint refused the write (Prisma's P2002): the caller turns it into a CONFLICT naming the field. */
export function isUniqueViolation(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === 'P2002';
}
