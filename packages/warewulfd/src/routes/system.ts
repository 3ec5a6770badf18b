/** `/system/<wwid>` and `/overlay-system/<wwid>` (§4.5): `__SYSTEM__.img[.gz]`, built on demand. */
import { serveOverlay } from '../overlay.js';
import type { StageHandler } from '../stage.js';

export const systemStage: StageHandler = (c) => serveOverlay(c, 'system');
