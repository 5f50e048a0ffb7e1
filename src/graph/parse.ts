// Filled in by the parsers work: see the helper brief.
