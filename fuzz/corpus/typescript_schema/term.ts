Term
/** The field a technical term belongs to. Exactly one per term. */
export type Category =
  | "networking"
  | "databases"
  | "security"
  | "machine-learning"
  | "distributed-systems"
  | "operating-systems"
  | "programming"
  | "hardware"
  | "web";

/** A definition of one technical term. */
export interface Term {
  /**
   * The term exactly as the user wrote it (same spelling and case).
   * @minLength 1
   */
  term: string;
  /**
   * One or two accurate sentences, about 15-45 words.
   * @minLength 10
   */
  definition: string;
  /** The single best-fitting category. */
  category: Category;
  /**
   * 2 to 4 closely related technical terms.
   * @minItems 1
   * @maxItems 6
   */
  related: string[];
}
