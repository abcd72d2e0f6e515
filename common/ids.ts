import { randomUUID } from 'node:crypto';

declare const brand: unique symbol;
export type Brand<T, B extends string> = T & { readonly [brand]: B };

export type VolumeId = Brand<string, 'VolumeId'>;
export type VolumeTypeId = Brand<string, 'VolumeTypeId'>;
export type MessageId = Brand<string, 'MessageId'>;
export type RequestId = Brand<string, 'RequestId'>;

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID_RE.test(value);
}

export function newUuid<T extends string>(): T {
  return randomUUID() as T;
}

export function newRequestId(): RequestId {
  return `req-${randomUUID()}` as RequestId;
}

const REQUEST_ID_RE = /^req-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isRequestId(value: string): value is RequestId {
  return REQUEST_ID_RE.test(value);
}
