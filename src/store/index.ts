export { StoreRefusedError } from './errors.js';
export { type ExportBinding, ExportRegistry, type ExportState, type StoredExport } from './exports.js';
export { type FileIdentity, sameIdentity, sameInode } from './identity.js';
export { asExportId, asObjectId, type ExportId, isExportId, isObjectId, type ObjectId } from './ids.js';
export { APPLICATION_ID, type LayerSchemaOptions, MigrationRegistry } from './migrations.js';
export { type MountEntry, MountList } from './mounts.js';
export { type BootRecord, recordBoot, writeVerifierFor } from './server-state.js';
export { DATABASE_FILE, openStore, type Store } from './store.js';
