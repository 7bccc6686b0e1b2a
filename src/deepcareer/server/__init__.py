"""The class server: cohorts of learners on PostgreSQL, grading on Celery workers in the OS
sandbox, a mentor's dashboard. A face over ``deepcareer.app`` like the CLI and the web app."""
