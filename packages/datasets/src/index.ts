export { createDatasetApi, parseRange, type DatasetApiHandler, type DatasetApiOptions } from './api.ts';
export { episodeCharts, type EpisodeCharts, type ReturnBin, type TimelineBucket } from './charts.ts';
export {
  EpisodeFilter,
  episodeStats,
  filterFromQuery,
  loadCatalog,
  parseFilter,
  selectEpisodes,
  type CatalogEpisode,
  type EpisodeStats,
  type SessionEntry,
} from './catalog.ts';
export {
  buildArchive,
  cachedExport,
  FORMATS,
  planExport,
  writeExport,
  type ExportFormat,
  type ExportManifest,
  type ExportPlan,
} from './export.ts';
export { extractEpisodes, type ExtractedEpisode } from './extract.ts';
export {
  generateSessions,
  type GeneratedSession,
  type GenerateOptions,
  type PlayerPolicy,
  type PolicySource,
} from './generate.ts';
export { ExportJobs, type JobStatus } from './jobs.ts';
export { DatasetError, datasetsDir, exportsDir, recordingsDir } from './layout.ts';
export { Pseudonymizer } from './pseudonym.ts';
export { replayEpisodes } from './replay-episodes.ts';
