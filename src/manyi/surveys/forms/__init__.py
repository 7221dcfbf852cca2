"""Survey forms, by topic: builder (design) and distribution."""
