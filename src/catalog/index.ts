export { Catalog, type CatalogOptions } from './catalog.js';
export type { GroupCommitStats } from './group-commit.js';
export { type CatalogLink, type CatalogObject, FileType, isFileType, type ObjectState } from './types.js';
