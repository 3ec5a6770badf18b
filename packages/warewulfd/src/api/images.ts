/**
 * `/api/images` (§4.10, §6): list, show, import (docker:// only), rename
 * (nodes and profiles follow), build and delete, on core's image store.
 * An import or build is aborted when its client goes away. Changes that
 * rewrite nodes.conf (rename) reload the daemon's snapshot.
 */
import { access } from 'node:fs/promises';
import type { FastifyReply } from 'fastify';
import { WwError, type Logger } from '@warewulf/core';
import type { DaemonEnv } from '../env.js';
import { coreLogger } from '../log.js';
import type { RouteTable } from './route.js';
import {
  ImageBuildQuery, ImageDeleteQuery, ImageImportBody, ImageInfo, ImageMap, ImageRenameBody, ImageRenameQuery, NameParams,
} from './schemas.js';

const imageMod = () => import('@warewulf/core/image');

type Info = { kernels: string[]; size: number; buildtime: string | null; writable: boolean; nodes: string[] };

/** An image as the API shows it. */
async function info(env: DaemonEnv, name: string, users: Awaited<ReturnType<Awaited<ReturnType<typeof imageMod>>['imageUsers']>>): Promise<Info> {
  const m = await imageMod();
  const ip = await m.requireImage(env.paths, name);
  const [i, kernels, readonly] = await Promise.all([
    m.imageInfo(env.paths, name, users),
    m.findKernels(ip.rootfs),
    access(ip.readonlyMarker).then(() => true, () => false),
  ]);
  return {
    kernels: kernels.map((k) => k.version ?? k.path),
    size: i.chrootSize,
    buildtime: (i.builtAt ?? i.modified)?.toISOString() ?? null,
    writable: !readonly,
    nodes: i.nodes,
  };
}

/** An AbortSignal that fires when the client disconnects before the answer is sent. */
function clientGone(reply: FastifyReply): AbortSignal {
  const ac = new AbortController();
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) ac.abort(new Error('client disconnected'));
  });
  return ac.signal;
}

/** Register the /api/images routes on the table (images load core's image module on first use). */
export function imageRoutes(t: RouteTable, env: DaemonEnv): void {
  const log = (): Logger => coreLogger(env.log);
  t.add(
    { method: 'GET', url: '/images', id: 'listImages', tag: 'images', errors: [], summary: 'Every image (name -> image)', response: { name: 'ImageMap', schema: ImageMap } },
    async () => {
      const m = await imageMod();
      const users = await m.imageUsers(env.paths);
      const out: Record<string, Info> = {};
      for (const name of await m.listImages(env.paths)) out[name] = await info(env, name, users);
      return out;
    },
  );
  t.add(
    { method: 'GET', url: '/images/:name', id: 'getImage', tag: 'images', params: NameParams, errors: [400, 404], summary: 'One image', response: { name: 'ImageInfo', schema: ImageInfo } },
    async ({ params }) => info(env, params.name, await (await imageMod()).imageUsers(env.paths)),
  );
  t.add(
    {
      method: 'POST', url: '/images/:name/import', id: 'importImage', tag: 'images', params: NameParams, errors: [400, 409, 502],
      summary: 'Import an image from a registry (docker://HOST/REPO:TAG) under this name',
      body: { name: 'ImageImportBody', schema: ImageImportBody },
      response: { name: 'ImageInfo', schema: ImageInfo },
    },
    async ({ params, body, reply }) => {
      const m = await imageMod();
      m.checkImageName(params.name);
      if ((body.user === undefined) !== (body.password === undefined)) throw new WwError('WW_ERR_USAGE', 'give both user and password, or neither');
      await m.importImage(env.paths, body.uri, {
        name: params.name, force: body.force, build: body.build, nohttps: body.nohttps, username: body.user, password: body.password,
        env: {}, log: log(), signal: clientGone(reply),
      });
      return info(env, params.name, await m.imageUsers(env.paths));
    },
  );
  t.add(
    {
      method: 'PATCH', url: '/images/:name', id: 'renameImage', tag: 'images', params: NameParams, query: ImageRenameQuery, errors: [400, 404, 409],
      summary: 'Rename an image; nodes and profiles using it follow (built under its new name unless ?build=false)',
      body: { name: 'ImageRenameBody', schema: ImageRenameBody },
      response: { name: 'ImageInfo', schema: ImageInfo },
    },
    async ({ params, query, body, reply }) => {
      const m = await imageMod();
      m.checkImageName(body.name);
      const r = await m.renameImage(env.paths, params.name, body.name);
      if (r.nodes.length + r.profiles.length > 0) await env.registry.reload();
      if (query.build) await m.buildImage(env.paths, body.name, { force: true, log: log(), signal: clientGone(reply) });
      return info(env, body.name, await m.imageUsers(env.paths));
    },
  );
  t.add(
    {
      method: 'POST', url: '/images/:name/build', id: 'buildImage', tag: 'images', params: NameParams, query: ImageBuildQuery, errors: [400, 404, 409],
      summary: 'Build the bootable image (§6.4); skipped when current unless ?force',
      response: { name: 'ImageInfo', schema: ImageInfo },
    },
    async ({ params, query, reply }) => {
      const m = await imageMod();
      await m.buildImage(env.paths, params.name, { force: query.force, log: log(), signal: clientGone(reply) });
      return info(env, params.name, await m.imageUsers(env.paths));
    },
  );
  t.add(
    {
      method: 'DELETE', url: '/images/:name', id: 'deleteImage', tag: 'images', params: NameParams, query: ImageDeleteQuery, errors: [400, 404, 409],
      summary: 'Delete an image (409 while a node or profile names it, unless ?force)',
      response: { name: 'ImageInfo', schema: ImageInfo },
    },
    async ({ params, query }) => {
      const m = await imageMod();
      const users = await m.imageUsers(env.paths);
      const before = await info(env, params.name, users);
      const refs = users.references.get(params.name) ?? [];
      if (refs.length > 0 && !query.force) {
        throw new WwError('WW_ERR_IMAGE_IN_USE', `image ${params.name} is in use by ${refs.map((r) => `${r.kind} ${r.id}`).join(', ')}`);
      }
      await m.deleteImage(env.paths, params.name);
      return before;
    },
  );
}
