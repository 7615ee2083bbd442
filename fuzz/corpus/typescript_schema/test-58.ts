T
/** doc */ export interface T extends B { a?: "x" | 1 | null;
    readonly b: Array<{ c: Record<string, U[]> }>, 'd': (string | number)[] }
    type U = T | boolean; interface B { e: unknown }