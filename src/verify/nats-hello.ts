/**
 * Before the NATS client connects: each server's greeting (`INFO {…}`, sent
 * as soon as a connection is accepted) read on a socket of our own, within the
 * step's time. A SIGSTOPped server's kernel still accepts the connection, and
 * @nats-io/transport-node 3.4 leaves the socket of a connect that timed out
 * open (node_transport.js `_closed` returns early while not connected), which
 * would keep `core verify` alive for as long as the server stays stopped. Our
 * own socket is destroyed on every outcome.
 */
import net from 'node:net';
import { addressText, type Address } from './targets.js';
import { describeError } from './describe-error.js';
import { StepFailure } from './types.js';

const GREETING_MAX = 64 * 1024;

/** `named`: errors start with the address (one of several servers). */
export function readGreeting(address: Address, timeoutMs: number, named: boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    let text = '';
    let connected = false;
    const socket = net.connect({ host: address.host, port: address.port });
    const where = named ? `${addressText(address)}: ` : '';
    const finish = (error?: Error) => {
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error instanceof StepFailure ? error : new StepFailure(`${where}${describeError(error, timeoutMs)}`));
      else resolve();
    };
    const timer = setTimeout(() => {
      const why = connected ? ': the connection was accepted, but the server sent no INFO (stopped, or too busy to answer)' : ' connecting';
      finish(new StepFailure(`${where}timed out after ${timeoutMs} ms${why}`));
    }, timeoutMs);
    socket.on('connect', () => {
      connected = true;
    });
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('latin1');
      const end = text.indexOf('\r\n');
      if (end < 0 && text.length < GREETING_MAX) return;
      const line = text.slice(0, end < 0 ? GREETING_MAX : end);
      finish(line.startsWith('INFO ') ? undefined : new StepFailure(`${where}not a NATS server (it greets with "${line.slice(0, 40)}")`));
    });
    socket.on('error', (error) => finish(error));
    socket.on('close', () => finish(new StepFailure(`${where}the server closed the connection before its INFO`)));
  });
}
