/**
 * @module media/chart-links
 * Charts served by URL, for platforms that fetch a photo rather than take an upload (Zalo's
 * sendPhoto): the PNG is kept in the store under an unguessable id (256 random bits) for 24 h
 * and served at `GET /media/<id>.png`. There is no listing: only who holds a link can fetch
 * its image, and an unknown, expired or malformed id is a 404 like any other.
 */
import { Hono } from 'hono';
import type { ReplyImage } from '../core/types';
import type { Store } from '../store/store';
import type { PngRenderer } from './png-renderer';
import { fromBase64, randomId, toBase64 } from '../text/base64';

export const CHART_LINK_TTL_SECONDS = 24 * 3600;
const ID_BYTES = 32;
/** base64url of ID_BYTES bytes, without padding. */
const ID_PATTERN = /^[A-Za-z0-9_-]{43}$/;
const key = (id: string) => `media:png:${id}`;

export interface ChartLinks {
  /** Draws the chart, keeps the PNG for CHART_LINK_TTL_SECONDS and returns its public URL; throws when it cannot. */
  publish(image: ReplyImage): Promise<string>;
}

export function chartLinks(deps: { store: Store; renderPng: PngRenderer; publicBaseUrl: string }): ChartLinks {
  return {
    async publish(image) {
      const png = await deps.renderPng(image);
      const id = randomId(ID_BYTES);
      await deps.store.set(key(id), toBase64(png), CHART_LINK_TTL_SECONDS);
      return `${deps.publicBaseUrl}/media/${id}.png`;
    },
  };
}

/** `GET /media/:file`: a published chart's PNG, or 404. */
export function chartLinkRoutes(deps: { store: Store; notFound: string }): Hono {
  const app = new Hono();
  app.get('/media/:file', async (c) => {
    const id = /^(.+)\.png$/.exec(c.req.param('file'))?.[1];
    const stored = id && ID_PATTERN.test(id) ? await deps.store.get(key(id)) : null;
    if (!stored) return c.json({ error: deps.notFound }, 404);
    return c.body(fromBase64(stored), 200, {
      'content-type': 'image/png',
      // The id names one image for good; only its holder has the link.
      'cache-control': 'private, max-age=86400, immutable',
    });
  });
  return app;
}

