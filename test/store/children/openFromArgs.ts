import { EmbeddedTaskStore } from '../../../nodes/WeHub/store/EmbeddedTaskStore';
import { RedisTaskStore } from '../../../nodes/WeHub/store/RedisTaskStore';
import type { StoreConfig } from '../../../nodes/WeHub/store/StoreConfig';
import type { TaskStore } from '../../../nodes/WeHub/store/TaskStore';

/** Child processes get their store config as JSON in argv[2]. */
export function openFromArgs(): TaskStore {
	const config = JSON.parse(process.argv[2]) as StoreConfig;
	return config.backend === 'embedded'
		? new EmbeddedTaskStore({ path: config.path!, limits: config.limits, sweepEveryMs: 0 })
		: new RedisTaskStore(config, { sweepEveryMs: 0 });
}
