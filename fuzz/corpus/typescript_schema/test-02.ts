Category

    type Category = "networking" | "databases" | "security" | "machine-learning"
      | "distributed-systems" | "operating-systems" | "programming" | "hardware" | "web";
    interface Term {
      /**
       * The term exactly as the user wrote it.
       * @minLength 1
       */
      term: string;
      /** One or two sentences.
       *  @minLength 10 */
      definition: string;
      category: Category;
      /** @minItems 1
       * @maxItems 6
       * @example ["TLS"] */
      related: string[];
    }