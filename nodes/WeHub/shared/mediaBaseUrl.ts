/**
 * WeHub downloads media by URL. The action node keeps binary data in the store, and the trigger
 * (webhook or listener mode) records under this store setting the public URL it serves media from.
 */
export const MEDIA_BASE_URL_SETTING = 'media_base_url';
