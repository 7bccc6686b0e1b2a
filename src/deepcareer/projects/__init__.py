"""Projects on real data: specs, datasets, the sandboxed runner, checks, tracking, reports."""
