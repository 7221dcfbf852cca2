"""Customer pages, split by topic: records (profiles, interactions), imports, exports."""
