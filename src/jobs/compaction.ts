/**
 * @module jobs/compaction
 * The scheduled merge of live knowledge segments (knowledge/catalogue compact): each publish
 * writes one small segment, so without it an isolate would load and search one segment per
 * upload. Runs with the daily jobs; reports how many segments and documents it merged.
 */
import type { Job } from './job';
import type { Catalogue } from '../knowledge/catalogue';

export function compactionJob(deps: { catalogue: Catalogue; maxSegments?: number }): Job {
  return {
    id: 'knowledge-compaction',
    async run() {
      const done = await deps.catalogue.compact({ maxSegments: deps.maxSegments });
      return { segmentsMerged: done.merged, documents: done.documents };
    },
  };
}
