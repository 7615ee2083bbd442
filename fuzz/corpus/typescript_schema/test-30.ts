T
type T = string | "a"