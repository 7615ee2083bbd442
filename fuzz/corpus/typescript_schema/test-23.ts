T
type T = "a" | 1 | false