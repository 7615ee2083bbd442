T
// leading comment
/* a block
   comment */
/**
 * A thing.
 * Second line.
 * @example {"a": "x"}
 */
export interface T {
  // not a description
  a: string; // trailing
  /** The b. */
  b /* inline */ : number;
  /***/ c: string;
  /**/ d: string;
}
declare interface U { x: string }
export declare type V = U;
