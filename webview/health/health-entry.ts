// The entry of media/health.js, the Health charts' own script (see load.ts): hands the view its HealthView.
import { HealthView } from './health-view';
import { HEALTH_GLOBAL, HealthModule } from './load';

(globalThis as { [HEALTH_GLOBAL]?: HealthModule })[HEALTH_GLOBAL] = { HealthView };
