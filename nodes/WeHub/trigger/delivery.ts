import type { TriggerItem } from './items';
import type { UploadedFile } from './multipart';

/**
 * What one request gives the workflow: the items that passed the filters, plus the file for an
 * upload. Every transport hands it to n8n the same way (see receive/n8nAdapter.ts).
 */
export interface Delivery {
	items: TriggerItem[];
	upload?: UploadedFile;
	/** Its inbox entry, when kept until the execution ends (listener mode, Durable Delivery). */
	deliveryId?: string;
}
