"""The class server's record on PostgreSQL: accounts, cohorts, submissions (the local app's
record stays in one SQLite file per learner, ``deepcareer.store.db``)."""
