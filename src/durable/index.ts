export { DurableRecord, RECORD_NAME, decodeRecord, encodeRecord, sha256, syncDir, type Loaded, type Validator } from './record.js';
export { StateCorruptError, StateWriteError } from './errors.js';
