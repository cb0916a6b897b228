/**
 * The direction imports may point, checked by `npm test` (dependency-cruiser):
 *   entries (src/worker.ts, src/node.ts) → app (src/app.ts, the composition root)
 *   → edges (src/channels, src/admin, src/jobs, src/console) → handlers/
 *   → domain (src/core, knowledge, search, llm, procedures, kpi, tasks, analytics, media, privacy, …)
 *   → base (src/config*.ts, src/log.ts, src/store, src/text, src/privacy/mask.ts, core types, texts and time, generated data).
 * A module may import its own layer or a lower one, never a higher one, and no import cycles.
 * The core (the assistant and its types) imports no domain service: app.ts hands them in.
 */
// src/media-worker/ holds the companion Workers' entries and, for the assistant Worker, the bindings' client.
const ENTRIES = '^src/((worker|node)\\.ts$|media-worker/)';
const APP = '^src/app\\.ts$';
const EDGES = '^src/(channels|admin|jobs|console)/';
const HANDLERS = '^handlers/';
const BASE = '^src/(config[^/]*\\.ts|log\\.ts|store/|text/|privacy/mask\\.ts|core/(types|texts|vn-time|secure-compare)\\.ts|generated/)';
const UPPER_THAN_DOMAIN = [ENTRIES, APP, EDGES, HANDLERS].join('|');
const DOMAIN_SERVICES = '^src/(search|llm|procedures|kpi|tasks|knowledge|analytics|media|handoff|answer)/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', comment: 'Import cycles make load order matter and modules inseparable.', from: {}, to: { circular: true } },
    {
      name: 'base-imports-only-base',
      severity: 'error',
      comment: 'config, log, store, text primitives, masking, core types and generated data sit at the bottom.',
      from: { path: BASE },
      to: { path: '^(src|handlers)/', pathNot: BASE },
    },
    {
      name: 'domain-never-imports-handlers-edges-app',
      severity: 'error',
      comment: 'The domain knows no handler, channel, admin route, job, composition root or entry.',
      from: { path: '^src/', pathNot: [ENTRIES, APP, EDGES, BASE].join('|') },
      to: { path: UPPER_THAN_DOMAIN },
    },
    {
      name: 'handlers-never-import-edges-app',
      severity: 'error',
      comment: 'A handler is called by the assistant; it never reaches for a channel, a route, a job or the app.',
      from: { path: HANDLERS },
      to: { path: [ENTRIES, APP, EDGES].join('|') },
    },
    {
      name: 'edges-never-import-app',
      severity: 'error',
      comment: 'Channels, admin routes and jobs get what they need from app.ts, never by importing it.',
      from: { path: EDGES },
      to: { path: [ENTRIES, APP].join('|') },
    },
    {
      name: 'app-never-imports-entries',
      severity: 'error',
      from: { path: APP },
      to: { path: ENTRIES },
    },
    {
      name: 'core-imports-no-domain-service',
      severity: 'error',
      comment: 'The assistant and its types know no search, model, procedure or KPI: app.ts hands them in.',
      from: { path: '^src/core/' },
      to: { path: DOMAIN_SERVICES },
    },
    {
      name: 'worker-never-reaches-node-only-code',
      severity: 'error',
      comment: 'The Worker cannot open TCP sockets: the Redis store and ioredis are for the Node entry only.',
      from: { path: '^src/worker\\.ts$' },
      to: { path: '^src/store/redis\\.ts$|ioredis|^src/node\\.ts$', reachable: true },
    },
    {
      name: 'worker-never-reaches-pdfjs-or-resvg',
      severity: 'error',
      comment:
        'PDF.js (unpdf) and resvg are about 1 MB gzipped: they live in the companion Workers (src/media-worker/pdf, src/media-worker/png), reached through the PDF_READER and CHART_RENDERER bindings, so the assistant Worker stays under 1 MB (issue #17).',
      from: { path: '^src/worker\\.ts$' },
      to: { path: 'node_modules/(unpdf|@resvg/resvg-wasm)/|^src/knowledge/extract/pdf\\.ts$|^src/media/png-(worker|node)\\.ts$|^src/media-worker/((pdf|png)/worker|handler|pdf-route|png-route)\\.ts$', reachable: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
    exclude: { path: '^src/generated/' },
  },
};
