"""Career guidance: roles, readiness from evidence, job-posting analysis, plans, pay."""
