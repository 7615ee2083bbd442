T
type T = "a" | 1 | null