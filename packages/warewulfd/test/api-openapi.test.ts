/**
 * The OpenAPI document at /api/docs: valid OpenAPI 3.1 by
 * @apidevtools/swagger-parser, every route the API registers listed (and
 * nothing else), one component per nodes.conf field, and bodies the API
 * accepts described by it.
 */
import SwaggerParser from '@apidevtools/swagger-parser';
import { describe, expect, it } from 'vitest';
import { FIELDS } from '@warewulf/core';
import { buildApp } from '@warewulf/warewulfd';
import { apiRequest, makeApiRoot, provisionApp } from '@warewulf/testenv';

type Doc = {
  openapi: string;
  paths: Record<string, Record<string, { operationId: string; parameters: { name: string; in: string }[]; responses: Record<string, unknown>; requestBody?: unknown }>>;
  components: { schemas: Record<string, Record<string, unknown>> };
};

async function doc(): Promise<{ d: Doc; env: Awaited<ReturnType<typeof provisionApp>>['env'] }> {
  const a = await provisionApp(makeApiRoot());
  const r = await apiRequest(a, 'GET', '/api/docs');
  expect(r.statusCode).toBe(200);
  return { d: JSON.parse(r.body) as Doc, env: a.env };
}

describe('/api/docs', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    const { d } = await doc();
    expect(d.openapi).toBe('3.1.0');
    // validate() dereferences in place: give it a copy
    await expect(SwaggerParser.validate(structuredClone(d) as never)).resolves.toBeTruthy();
  });

  it('lists exactly the routes the API registers, each with its access errors', async () => {
    const { d, env } = await doc();
    const app = buildApp(env);
    const registered = new Set<string>();
    app.addHook('onRoute', (r) => {
      if (!r.url.startsWith('/api')) return;
      for (const m of [r.method].flat()) {
        if (m === 'HEAD') continue;
        registered.add(`${m} ${r.url.replace(/\/$/, '').replace(/:(\w+)/g, '{$1}')}`);
      }
    });
    await app.ready();
    await app.close();
    const documented = new Set(Object.entries(d.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p.replace(/\/$/, '')}`)));
    expect([...documented].sort()).toEqual([...registered].sort());
    expect(documented.size).toBeGreaterThanOrEqual(25);
    for (const [p, ops] of Object.entries(d.paths)) {
      for (const [m, op] of Object.entries(ops)) {
        expect([p, m, Object.keys(op.responses)]).toEqual([p, m, expect.arrayContaining(['200', '401', '403'])]);
        for (const name of p.match(/\{(\w+)\}/g) ?? []) expect(op.parameters).toContainEqual(expect.objectContaining({ name: name.slice(1, -1), in: 'path' }));
      }
    }
    // upstream's table (§4.10) is all there
    for (const key of [
      'GET /api/nodes', 'GET /api/nodes/{id}', 'GET /api/nodes/{id}/raw', 'GET /api/nodes/{id}/fields', 'PUT /api/nodes/{id}', 'PATCH /api/nodes/{id}',
      'DELETE /api/nodes/{id}', 'POST /api/nodes/overlays/build', 'POST /api/nodes/{id}/overlays/build', 'GET /api/nodes/{id}/overlays',
      'GET /api/profiles', 'GET /api/profiles/{id}', 'PUT /api/profiles/{id}', 'PATCH /api/profiles/{id}', 'DELETE /api/profiles/{id}',
      'GET /api/images', 'GET /api/images/{name}', 'POST /api/images/{name}/import', 'PATCH /api/images/{name}', 'POST /api/images/{name}/build',
      'DELETE /api/images/{name}', 'GET /api/overlays', 'GET /api/overlays/{name}', 'GET /api/overlays/{name}/file', 'PUT /api/overlays/{name}',
      'DELETE /api/overlays/{name}', 'PUT /api/overlays/{name}/file', 'DELETE /api/overlays/{name}/file', 'GET /api/events', 'GET /api/docs',
    ]) {
      expect(documented.has(key), key).toBe(true);
    }
  });

  it('has one schema per nodes.conf field, and the node schema is built from them', async () => {
    const { d } = await doc();
    const s = d.components.schemas;
    for (const f of FIELDS) expect(s[`field.${f.name.replace(/\[\]/g, '')}`], f.name).toMatchObject({ 'x-warewulf-field': f.name, description: f.help });
    const node = JSON.stringify(s.Node);
    expect(node).toContain('"$ref":"#/components/schemas/field.NetDevs.Ipaddr"');
    expect(node).toContain('"network devices"');
    expect(JSON.stringify(s.Profile)).not.toContain('field.AssetKey');
    const put = d.paths['/api/nodes/{id}']?.put;
    expect(put?.requestBody).toEqual({ required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/NodeBody' } } } });
    expect(put?.parameters).toContainEqual(expect.objectContaining({ name: 'If-Match', in: 'header' }));
    expect(Object.keys(put?.responses ?? {})).toContain('412');
  });
});
