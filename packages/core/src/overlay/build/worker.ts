/**
 * A worker thread of the overlay build pool (piscina). Each task is a batch
 * of images of one build; the worker loads the node database once per build
 * (from the parse cache the main thread just wrote) and checks it is the
 * revision the build was planned on.
 */
import { WwError } from '../../errors.js';
import { loadNodeDb } from '../../node/store.js';
import { ThreadBuilder, type BuildSettings, type ImageJob, type ImageOutcome } from './node-builder.js';

export interface WorkerTask {
  buildId: string;
  settings: BuildSettings;
  revision: string;
  jobs: ImageJob[];
}

let current: { buildId: string; builder: Promise<ThreadBuilder> } | undefined;

async function builderFor(t: WorkerTask): Promise<ThreadBuilder> {
  if (current?.buildId !== t.buildId) {
    const builder = (async () => {
      const db = await loadNodeDb(t.settings.paths.nodesConf, { cacheDir: t.settings.paths.nodesCacheDir });
      if (db.revision !== t.revision) throw new WwError('WW_ERR_CONFLICT', 'nodes.conf changed during the overlay build; run it again');
      return new ThreadBuilder(t.settings, db);
    })();
    current = { buildId: t.buildId, builder };
  }
  return current.builder;
}

export default async function run(t: WorkerTask): Promise<ImageOutcome[]> {
  return (await builderFor(t)).buildAll(t.jobs);
}
