/**
 * @module procedures/load
 * The procedure catalogue the app bundles (src/generated/procedures.json, built by
 * `npm run ingest:procedures` from knowledge/procedures/*.json, because Workers has no file
 * system). Validated with the same schema as the data files, once per isolate.
 */
import catalogJson from '../generated/procedures.json';
import { ProcedureCatalogSchema, type Procedure } from './schema';

let cached: readonly Procedure[] | undefined;

export function bundledProcedures(): readonly Procedure[] {
  cached ??= Object.freeze(ProcedureCatalogSchema.parse(catalogJson).procedures);
  return cached;
}
