/**
 * Imported before msgpackr (module evaluation follows import order): turns
 * off msgpackr's native string extractor for this process unless the
 * operator set the variable. Actor messages carry short strings, and for
 * those the per-message call into the native addon costs more than decoding
 * in JS: about 30% on the receive path (measured in bench/hop). A process
 * that decodes long strings can set MSGPACKR_NATIVE_ACCELERATION_DISABLED=false.
 */
process.env.MSGPACKR_NATIVE_ACCELERATION_DISABLED ??= 'true';
export {};
