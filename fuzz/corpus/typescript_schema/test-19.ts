T
type T =
    | "a"
    | "b"