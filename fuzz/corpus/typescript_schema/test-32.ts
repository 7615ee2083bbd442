T
type T = "a" | number