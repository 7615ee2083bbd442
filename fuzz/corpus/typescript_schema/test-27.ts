T
type T = "a" | "a" | ("b" | "a")