/**
 * The zod schemas of the API's requests and responses besides the node
 * and profile ones (core's, from the field table). Requests are parsed
 * with them; the OpenAPI document is generated from them.
 */
import { z } from 'zod';
import { NODE_SCHEMA, PROFILE_SCHEMA } from '@warewulf/core/node-schema';
import { queryBool } from './route.js';

export const IdParams = z.object({ id: z.string().min(1).meta({ description: 'node or profile name' }) });
export const NameParams = z.object({ name: z.string().min(1).meta({ description: 'image or overlay name' }) });

export const NodeBody = z.strictObject({ node: NODE_SCHEMA }, { error: 'expected {"node": {...}}' });
export const ProfileBody = z.strictObject({ profile: PROFILE_SCHEMA }, { error: 'expected {"profile": {...}}' });
export const NodeMap = z.record(z.string(), NODE_SCHEMA).meta({ description: 'node name -> node' });
export const ProfileMap = z.record(z.string(), PROFILE_SCHEMA).meta({ description: 'profile name -> profile' });

export const FieldRow = z.object({
  Field: z.string().meta({ description: 'display path of the field (NetDevs[default].Ipaddr)' }),
  Source: z.string().meta({ description: '-- (the node), a profile, several profiles, or SUPERSEDED' }),
  Value: z.string(),
});
export const FieldRows = z.array(FieldRow).meta({ description: '`wwctl node list -a` rows (§2.6)' });
export const FieldsQuery = z.object({
  layout: z.enum(['current', 'seed']).default('current').meta({ description: 'today\'s rows (default) or the 4.3 layout of `node list -a`' }),
});

export const OverlayImageState = z.object({
  overlays: z.array(z.string()),
  /** ISO time the image was built, null when it was not. */
  mtime: z.string().nullable(),
  fresh: z.boolean().meta({ description: 'the image is built and nothing it depends on changed since' }),
  reason: z.string().meta({ description: 'why the next build would rebuild it (empty when fresh)' }),
});
export const NodeOverlays = z.object({ 'system overlay': OverlayImageState, 'runtime overlay': OverlayImageState });
export const BuildQuery = z.object({ force: queryBool(false).meta({ description: 'rebuild even what is up to date' }) });
export const BuiltNodes = z.array(z.string()).meta({ description: 'the nodes whose overlays were built, sorted' });

export const ImageInfo = z.object({
  kernels: z.array(z.string()).meta({ description: 'kernel versions found in the image' }),
  size: z.number().meta({ description: 'bytes of the image\'s files' }),
  buildtime: z.string().nullable().meta({ description: 'ISO time of the last build; null when not built' }),
  writable: z.boolean(),
  nodes: z.array(z.string()).meta({ description: 'nodes using the image' }),
});
export const ImageMap = z.record(z.string(), ImageInfo);
export const ImageImportBody = z.strictObject({
  uri: z.string().startsWith('docker://', 'must start with docker://'),
  nohttps: z.boolean().optional(),
  user: z.string().optional(),
  password: z.string().optional(),
  force: z.boolean().optional().meta({ description: 'replace an existing image' }),
  build: z.boolean().optional().meta({ description: 'build the image after the import' }),
});
export const ImageRenameBody = z.strictObject({ name: z.string().min(1) });
export const ImageRenameQuery = z.object({ build: queryBool(true).meta({ description: 'build the image under its new name (default true)' }) });
export const ImageBuildQuery = z.object({ force: queryBool(false).meta({ description: 'build even when up to date' }) });
export const ImageDeleteQuery = z.object({ force: queryBool(false).meta({ description: 'delete even when nodes or profiles use it' }) });

export const OverlayInfo = z.object({ files: z.array(z.string()), site: z.boolean() });
export const OverlayMap = z.record(z.string(), OverlayInfo);
export const OverlayDeleteQuery = z.object({ force: queryBool(false).meta({ description: 'delete with its files' }) });
export const OverlayFileQuery = z.object({
  path: z.string().min(1).meta({ description: 'file path inside the overlay' }),
  render: z.string().optional().meta({ description: 'render the template for this node' }),
});
export const OverlayFileWriteQuery = z.object({ path: z.string().min(1) });
export const OverlayFileDeleteQuery = z.object({
  path: z.string().min(1),
  force: queryBool(false).meta({ description: 'delete a directory with its contents' }),
  cleanup: queryBool(false).meta({ description: 'remove parent directories left empty' }),
});
export const OverlayFile = z.object({
  overlay: z.string(),
  path: z.string(),
  contents: z.string(),
  perms: z.string().meta({ description: 'permission bits, octal (0644)' }),
  uid: z.number(),
  gid: z.number(),
});
export const OverlayFileBody = z.strictObject({ content: z.string() });
export const OverlayFileRef = z.object({ overlay: z.string(), path: z.string() });

export const NodeStatus = z.object({
  'node name': z.string(),
  stage: z.string(),
  sent: z.string(),
  ipaddr: z.string(),
  'last seen': z.number().meta({ description: 'unix seconds; 0 when never seen' }),
});
export const NodeRow = z.object({
  name: z.string(),
  profiles: z.array(z.string()),
  cluster: z.string(),
  image: z.string(),
  address: z.string(),
  hwaddr: z.string(),
  systemOverlays: z.array(z.string()),
  runtimeOverlays: z.array(z.string()),
});
export const Dashboard = z.object({
  revision: z.string().meta({ description: 'SHA-256 of the nodes.conf the daemon serves' }),
  interval: z.number().meta({ description: 'warewulf.conf update interval (seconds)' }),
  now: z.number().meta({ description: 'the server\'s clock, unix seconds' }),
  nodes: z.array(NodeRow),
  status: z.record(z.string(), NodeStatus),
  images: z.record(z.string(), z.number()).meta({ description: 'image -> nodes using it' }),
  overlays: z.record(z.string(), z.number()).meta({ description: 'overlay -> nodes using it' }),
});
export const Freshness = z.record(z.string(), z.object({ system: OverlayImageState, runtime: OverlayImageState }));
export const OpenApiDoc = z.record(z.string(), z.unknown()).meta({ description: 'this document' });

export const ApiError = z.object({
  error: z.object({
    code: z.string().meta({ description: 'stable error code (WW_ERR_...)' }),
    status: z.number(),
    message: z.string(),
    field: z.string().optional().meta({ description: 'the field a 400 is about (NetDevs[default].Ipaddr)' }),
  }),
});
