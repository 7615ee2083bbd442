T
type T = "a" | "b" | 'c'