import { isAdmin, type RequestContext } from '../../common/context.js';
import { ForbiddenError } from '../../common/errors.js';
import type { ApiDeps } from '../deps.js';
import { NoSuchActionError } from '../http/errors.js';
import { actionOf } from '../http/validate.js';
import { extendVolume } from './extend.js';
import type { VolumeScope } from './queries.js';
import { resetVolumeStatus } from './reset-status.js';
import { parseExtend, parseResetStatus } from './schema.js';

interface ActionTarget {
  readonly deps: ApiDeps;
  readonly context: RequestContext;
  readonly scope: VolumeScope;
  readonly volumeId: string;
}

type ActionHandler = (target: ActionTarget, args: unknown) => Promise<void>;

const ACTIONS: Readonly<Record<string, ActionHandler>> = {
  'os-extend': ({ deps, context, scope, volumeId }, args) =>
    extendVolume(deps, context, scope, volumeId, parseExtend(args)),
  'os-reset_status': ({ deps, context, scope, volumeId }, args) => {
    if (!isAdmin(context)) throw new ForbiddenError();
    return resetVolumeStatus(deps.db, scope, volumeId, parseResetStatus(args));
  },
};

/** `POST /volumes/{id}/action` with a one-key body naming the action; unknown actions are a 400. */
export async function runVolumeAction(target: ActionTarget, body: unknown): Promise<void> {
  const [name, args] = actionOf(body);
  const handler = Object.hasOwn(ACTIONS, name) ? ACTIONS[name] : undefined;
  if (!handler) throw new NoSuchActionError(name);
  await handler(target, args);
}
