T
interface T {
    /** @minimum -1.5
     * @exclusiveMaximum 10
     * @multipleOf 0.5
     * @pattern ^[a-z]+$
     * @format date-time
     * @deprecated
     */
    a: number
  }