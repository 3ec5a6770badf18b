/**
 * Entry revisions as HTTP validators: the ETag of a node or profile is its
 * revision (core's entryRevision) in quotes; If-Match takes `*` or a list
 * of ETags, compared strongly (a weak `W/` tag never matches, RFC 9110
 * §13.1.1); If-None-Match matters to PUT only as `*` (create, never replace).
 */
import type { FastifyRequest } from 'fastify';
import type { EntryCondition } from '@warewulf/core';

export const etagOf = (revision: string): string => `"${revision}"`;

/** The preconditions of a write request. */
export function entryCondition(req: FastifyRequest): EntryCondition {
  const c: EntryCondition = {};
  const ifMatch = req.headers['if-match'];
  if (ifMatch !== undefined) {
    const tags = ifMatch.split(',').map((t) => t.trim()).filter((t) => t !== '');
    c.ifMatch = tags.includes('*') ? '*' : tags.flatMap((t) => /^"([^"]*)"$/.exec(t)?.[1] ?? []);
  }
  const ifNoneMatch = req.headers['if-none-match'];
  if (ifNoneMatch !== undefined && ifNoneMatch.split(',').some((t) => t.trim() === '*')) c.ifNoneMatchAny = true;
  return c;
}
