import type { IncomingMessage } from 'node:http';
import { readJsonObject } from '../http/body.ts';

/** The largest body the admin API's resource writes take; a config import is the largest of them. */
export const ADMIN_BODY_LIMIT = 4 * 1024 * 1024;

export const readAdminJson = (ctx: { req: IncomingMessage }) => readJsonObject(ctx.req, ADMIN_BODY_LIMIT);
