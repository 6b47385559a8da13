/**
 * comlink over Node's MessagePort. comlink speaks the DOM EventTarget
 * interface; Node ports are EventEmitters. (comlink ships an equivalent
 * adapter, but only as an .mjs without types NodeNext can resolve.)
 */
import type { Endpoint } from 'comlink';
import type { MessagePort } from 'node:worker_threads';

type Handler = ((ev: { data: unknown }) => void) | { handleEvent(ev: { data: unknown }): void };

export function nodeEndpoint(port: MessagePort): Endpoint {
  const listeners = new WeakMap<object, (data: unknown) => void>();
  const endpoint = {
    postMessage: (message: unknown, transfer?: unknown[]) => port.postMessage(message, transfer as never),
    addEventListener: (_type: string, listener: Handler) => {
      const l = (data: unknown): void => {
        if (typeof listener === 'function') listener({ data });
        else listener.handleEvent({ data });
      };
      port.on('message', l);
      listeners.set(listener, l);
    },
    removeEventListener: (_type: string, listener: Handler) => {
      const l = listeners.get(listener);
      if (l) {
        port.off('message', l);
        listeners.delete(listener);
      }
    },
    start: () => port.start(),
  };
  return endpoint as unknown as Endpoint;
}
