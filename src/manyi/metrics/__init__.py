"""Pure-Python measurement methods (no Django import): they take counts and plain values
and return plain data, so dashboards, reports, the API and benchmarks share one
implementation, tested on the worked examples of shared/METHODS.md."""
