import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { AppError } from '@aisbf/platform-errors';
import { invalid, parseDataUrl, type DataUrl } from './openai-input';

/**
 * Turns an `image_url` into base64 bytes for upstreams that only take inline images (Ollama). Data URLs are decoded
 * locally; remote images are fetched over https only, never from loopback/private/link-local addresses (a caller must
 * not be able to make the gateway read its own network), with a size cap and a deadline.
 */
export type ImageLoader = (url: string, signal: AbortSignal) => Promise<DataUrl>;

export const MAX_IMAGE_BYTES = 20 * 1024 * 1024;
const FETCH_TIMEOUT_MS = 30_000;

function privateAddress(ip: string): boolean {
  if (isIP(ip) === 6) {
    const v = ip.toLowerCase();
    if (v === '::1' || v === '::' || v.startsWith('fc') || v.startsWith('fd') || v.startsWith('fe80')) return true;
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(v);
    return mapped ? privateAddress(mapped[1]!) : false;
  }
  const [a, b] = ip.split('.').map(Number) as [number, number];
  return a === 10 || a === 127 || a === 0 || (a === 169 && b === 254) || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127);
}

export const defaultImageLoader: ImageLoader = async (url, signal) => {
  const data = parseDataUrl(url);
  if (data) return data;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw invalid(`image_url '${url.slice(0, 80)}' is neither a data: URL nor an https: URL`, 'messages');
  }
  if (u.protocol !== 'https:') throw invalid(`image_url must be a data: URL or an https: URL (got ${u.protocol})`, 'messages');
  const host = u.hostname.replace(/^\[|\]$/g, '');
  const addresses = isIP(host) ? [host] : (await lookup(host, { all: true }).catch(() => [])).map((a) => a.address);
  if (addresses.length === 0) throw invalid(`image_url host '${host}' does not resolve`, 'messages');
  if (addresses.some(privateAddress)) throw invalid(`image_url host '${host}' is not a public address`, 'messages');

  const res = await fetch(u, { signal: AbortSignal.any([signal, AbortSignal.timeout(FETCH_TIMEOUT_MS)]), redirect: 'error' }).catch((err: unknown) => {
    if (signal.aborted) throw new AppError('CANCELLED', 'The request was cancelled', { retryable: false });
    throw invalid(`image_url could not be fetched: ${(err as Error).message}`, 'messages');
  });
  if (!res.ok) throw invalid(`image_url answered HTTP ${res.status}`, 'messages');
  const declared = Number(res.headers.get('content-length') ?? '0');
  if (declared > MAX_IMAGE_BYTES) throw invalid(`image_url is larger than ${MAX_IMAGE_BYTES} bytes`, 'messages');
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > MAX_IMAGE_BYTES) throw invalid(`image_url is larger than ${MAX_IMAGE_BYTES} bytes`, 'messages');
    chunks.push(chunk);
  }
  const mediaType = (res.headers.get('content-type') ?? 'application/octet-stream').split(';')[0]!.trim().toLowerCase();
  if (!mediaType.startsWith('image/')) throw invalid(`image_url is not an image (content-type ${mediaType})`, 'messages');
  return { mediaType, base64: Buffer.concat(chunks).toString('base64') };
};
