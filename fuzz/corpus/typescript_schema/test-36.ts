T
type T = "tab\there" | "quote\"" | "\u00e9\u{1F600}\uD83D\uDE00" | 'it\'s'