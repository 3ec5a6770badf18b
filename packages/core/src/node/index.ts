export {
  FIELDS, FIELD_BY_FLAG, FIELD_BY_NAME, DEFAULT_FIELDS, fieldPath, yamlPath,
  type FieldKind, type FieldRef, type FieldScope, type FieldSpec,
} from './fields.js';
export { parseNodesConf, parseEntityMap, parseEntityMapReport, unknownEntityKeyMessage, dumpNodesConf, emptyNodesDocument, unknownKeyWarnings, type NodesDocument, type RawEntity, type UnknownKey } from './document.js';
export { flattenEntity, type FlatEntry, type FlatFields, type FlatValue } from './flat.js';
export {
  NodeMerger, expandProfiles, negateList, compareFields, mergedDigest, DEFAULT_PROFILE,
  type MergedField, type MergedNode,
} from './merge.js';
export { applyEdit, entityFromFields, type EditOp } from './edit.js';
export { applyEdits, addEntities, deleteEntities, importEntities, checkProfilesExist, checkUniqueHwaddrs, duplicateIpaddrs, touchesIpaddrs, type Section } from './registry.js';
export { diffFields, type FieldChange } from './diff.js';
export { readNodesConf, loadNodeDb, updateNodesConf, type UpdateResult } from './store.js';
export { NodeDb, selectNames, deepFreeze, type NodeSummary, type SelectOptions } from './nodedb.js';
export { seedProvenanceRows, currentProvenanceRows, mergedEntity, fieldText, compactJson, type ProvenanceRow } from './provenance.js';
export { parseFieldValue, type FieldValue, isValidIp, isValidMac, isValidNetmask, normalizeMac, parseBoolWord, wwboolTrue, UNSET_WORDS } from './values.js';
export {
  entryRevision, putEntry, patchEntry, deleteEntry, checkCondition, EntityBodyError,
  type EntryCondition, type EntryTarget, type EntryWriteResult, type ReferenceChecks,
} from './entry-ops.js';
