/**
 * @module media/png-renderer
 * The type of whatever turns a chart into PNG bytes, apart from media/png so that the modules
 * that only pass a renderer along (the app, the channels) never reach resvg: on Workers the
 * renderer is the chart renderer Worker's client (src/media-worker/png), and the assistant Worker's bundle carries no resvg.
 */

/**
 * A chart (SVG laid out at `width` px) as PNG bytes at that width; throws when it cannot. The
 * entry builds one for its platform and the runtime hands it to the channels that send photos.
 */
export type PngRenderer = (chart: { svg: string; width: number }) => Promise<Uint8Array<ArrayBuffer>>;
