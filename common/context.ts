import { AsyncLocalStorage } from 'node:async_hooks';

/** Who asked for the work; travels in every RPC envelope and appears in every log line. */
export interface RequestContext {
  readonly requestId: string;
  readonly projectId: string;
  readonly userId: string;
  readonly roles: readonly string[];
}

const storage = new AsyncLocalStorage<RequestContext>();

export function runWithContext<T>(context: RequestContext, fn: () => T): T {
  return storage.run(context, fn);
}

export function currentContext(): RequestContext | undefined {
  return storage.getStore();
}

export function isAdmin(context: RequestContext): boolean {
  return context.roles.includes('admin');
}

/** Context for work a service starts by itself (periodic tasks, start-up clean-up). */
export function serviceContext(requestId: string): RequestContext {
  return { requestId, projectId: '', userId: 'floe', roles: ['admin'] };
}
