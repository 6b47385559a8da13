/** The shape of one row of the option table (FIELDS in schema.ts, TRADING_FIELDS in trading.ts). */

/** How one option is checked. */
export type FieldKind =
  | { readonly kind: 'string'; readonly nullable?: boolean; readonly minLength?: number; readonly pattern?: RegExp; readonly describe?: string }
  | { readonly kind: 'int'; readonly min: number; readonly max: number; readonly nullable?: boolean; readonly describe?: string }
  | { readonly kind: 'number'; readonly greaterThan?: number; readonly min?: number; readonly max?: number; readonly nullable?: boolean }
  /** A list of names from `values` (the environment gives them comma-separated). */
  | { readonly kind: 'ids'; readonly values: readonly string[] }
  /** Per strategy id, parameter overrides checked against the catalog (trading.ts); a config file only. */
  | { readonly kind: 'params' }
  | { readonly kind: 'enum'; readonly values: readonly string[] }
  | { readonly kind: 'boolean' }
  | { readonly kind: 'url'; readonly schemes: readonly string[]; readonly nullable?: boolean };

export interface FieldSpec {
  /** Dotted path, e.g. `http.port`. */
  readonly path: string;
  readonly type: FieldKind;
  /** Environment variable that sets it. */
  readonly env?: string;
  /** Never printed: logs and `redactConfig` show `***`. */
  readonly secret?: boolean;
  /**
   * Set only by a command-line flag: a config file or the environment that
   * tries to set it is refused (a copied environment must not switch it on).
   */
  readonly flagOnly?: string;
}
