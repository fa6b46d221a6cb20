/**
 * MSAL's network module over node:https with one extra trusted CA, for the local emulator's self-signed login
 * host. Production leaves MSAL's own network client in place.
 */
import { request } from 'node:https';
import type { INetworkModule, NetworkRequestOptions, NetworkResponse } from '@azure/msal-node';

export class TrustedCaNetworkClient implements INetworkModule {
  constructor(private readonly ca: string) {}

  sendGetRequestAsync<T>(
    url: string,
    options?: NetworkRequestOptions,
    timeout?: number,
  ): Promise<NetworkResponse<T>> {
    return this.send<T>('GET', url, options, timeout);
  }

  sendPostRequestAsync<T>(url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> {
    return this.send<T>('POST', url, options);
  }

  private send<T>(
    method: string,
    url: string,
    options?: NetworkRequestOptions,
    timeout = 30_000,
  ): Promise<NetworkResponse<T>> {
    return new Promise((resolve, reject) => {
      const req = request(url, { method, headers: options?.headers ?? {}, ca: this.ca, timeout }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          try {
            const headers = Object.fromEntries(
              Object.entries(res.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : (v ?? '')]),
            );
            resolve({
              headers,
              body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as T,
              status: res.statusCode ?? 0,
            });
          } catch (error) {
            reject(error instanceof Error ? error : new Error(String(error)));
          }
        });
      });
      req.on('timeout', () => req.destroy(new Error('Request timeout')));
      req.on('error', reject);
      if (method === 'POST') req.write(options?.body ?? '');
      req.end();
    });
  }
}
