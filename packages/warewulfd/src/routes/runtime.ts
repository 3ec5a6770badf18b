/**
 * `/runtime/<wwid>` and `/overlay-runtime/<wwid>` (§4.5): `__RUNTIME__.img[.gz]`,
 * built on demand. The privileged-port and TLS rules are checked before
 * dispatch (§4.4), with the other refusals.
 */
import { serveOverlay } from '../overlay.js';
import type { StageHandler } from '../stage.js';

export const runtimeStage: StageHandler = (c) => serveOverlay(c, 'runtime');
