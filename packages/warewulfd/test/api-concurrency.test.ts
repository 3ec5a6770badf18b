/**
 * The API and wwctl write nodes.conf at once and lose nothing: both go
 * through core's locked read-modify-write. And concurrent API writes that
 * start from the same ETag: exactly one wins, the others get 412.
 */
import { describe, expect, it } from 'vitest';
import { readNodesConf } from '@warewulf/core';
import { apiRequest, makeApiRoot, provisionApp, wwctlProcess } from '@warewulf/testenv';

const names = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `n${String(from + i).padStart(2, '0')}`);

function nodesConf(ids: string[]): string {
  return `nodeprofiles:\n  default: {}\nnodes:\n${ids.map((id, i) => `  ${id}:\n    network devices:\n      default:\n        hwaddr: 02:00:00:00:00:${(i + 1).toString(16).padStart(2, '0')}\n`).join('')}`;
}

describe('concurrent writers', () => {
  it('20 API PATCHes and 20 `wwctl node set` processes (the real binary), all at once: all 40 changes are in nodes.conf', async () => {
    const api = names(1, 20);
    const cli = names(21, 40);
    const t = makeApiRoot({ nodesConf: nodesConf([...api, ...cli]) });
    const a = await provisionApp(t);
    const procs = cli.map((id) => wwctlProcess(t, ['node', 'set', '--yes', '--comment', `cli ${id}`, '--tagadd', `writer=wwctl`, id]));
    const patches = api.map((id) => apiRequest(a, 'PATCH', `/api/nodes/${id}`, { json: { node: { comment: `api ${id}`, tags: { writer: 'api' } } } }));
    const [results, responses] = await Promise.all([Promise.all(procs.map((p) => p.done)), Promise.all(patches)]);
    for (const [i, r] of results.entries()) expect([cli[i], r.code, r.stderr]).toEqual([cli[i], 0, '']);
    for (const [i, r] of responses.entries()) expect([api[i], r.statusCode]).toEqual([api[i], 200]);

    const doc = await readNodesConf(t.nodesConf);
    const comment = (id: string) => String(doc.nodes[id]?.comment);
    expect(api.map(comment)).toEqual(api.map((id) => `api ${id}`));
    expect(cli.map(comment)).toEqual(cli.map((id) => `cli ${id}`));
    // and the daemon's snapshot has the last of them too, after a reload (its file watch in a real daemon)
    await a.registry.reload();
    const all = JSON.parse((await apiRequest(a, 'GET', '/api/nodes/')).body) as Record<string, { comment: string; tags: { writer: string } }>;
    expect(Object.values(all).filter((n) => n.comment.startsWith('api ') && n.tags.writer === 'api')).toHaveLength(20);
    expect(Object.values(all).filter((n) => n.comment.startsWith('cli ') && n.tags.writer === 'wwctl')).toHaveLength(20);
  }, 180_000);

  it('10 PATCHes of one node with the same If-Match: one applies, nine get 412', async () => {
    const t = makeApiRoot();
    const a = await provisionApp(t);
    const etag = (await apiRequest(a, 'GET', '/api/nodes/n1')).headers.etag as string;
    const rs = await Promise.all(
      Array.from({ length: 10 }, (_, i) => apiRequest(a, 'PATCH', '/api/nodes/n1', { json: { node: { comment: `writer ${i}` } }, headers: { 'if-match': etag } })),
    );
    const codes = rs.map((r) => r.statusCode).sort();
    expect(codes).toEqual([200, ...Array<number>(9).fill(412)]);
    const winner = rs.findIndex((r) => r.statusCode === 200);
    expect(String((await readNodesConf(t.nodesConf)).nodes.n1?.comment)).toBe(`writer ${winner}`);
  });
});
