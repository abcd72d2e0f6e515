import express, { type RequestHandler } from 'express';

/**
 * JSON bodies up to `maxBytes`, whatever their Content-Type (Cinder assumes JSON). Oversized and
 * malformed bodies reach the error renderer as body-parser errors.
 */
export function jsonBody(maxBytes: number): RequestHandler {
  return express.json({ limit: maxBytes, type: () => true, strict: true });
}
