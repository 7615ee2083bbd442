T
type T = "a" | "b" | null