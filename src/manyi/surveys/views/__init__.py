"""Survey pages, by topic: builder (design), distribution, responses and staff entry (staff
side), respond (the respondent's pages)."""
