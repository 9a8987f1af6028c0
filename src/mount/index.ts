export { type ExportLookup, findExport } from './find-export.js';
export { MemoryMountList, type MountList, type MountRecord } from './mount-list.js';
export {
  clientName,
  MOUNT_V1,
  type MountError,
  MountService,
  type MountServiceDeps,
  mountPrograms,
  type ResolveMountPath,
} from './mount-program.js';
