/**
 * One GET over the control socket whose answer is read as text: the metrics
 * exposition is not JSON, which ControlClient's requests expect.
 */
import { lazyHttp } from '../support/builtins.js';
import { ControlError } from './client.js';

export interface TextAnswer {
  readonly status: number;
  readonly body: string;
}

export function getText(socket: string, path: string, timeoutMs: number): Promise<TextAnswer> {
  return new Promise((resolve, reject) => {
    const request = lazyHttp().request({ socketPath: socket, method: 'GET', path, timeout: timeoutMs }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 500, body }));
      response.on('error', (error) => reject(new ControlError(`GET ${path}: ${error.message}`)));
    });
    request.on('timeout', () => request.destroy(new ControlError(`GET ${path}: no answer within ${timeoutMs} ms`, undefined, true)));
    request.on('error', (error) => reject(error instanceof ControlError ? error : new ControlError(`${socket}: ${(error as NodeJS.ErrnoException).code ?? error.message}`)));
    request.end();
  });
}
